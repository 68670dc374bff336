package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.config.AuditConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BD: the directory lock ({@code .tollgate-audit.lock}) is a POSIX record lock, which the kernel keeps per process
 * and inode: closing any descriptor of the file in the process drops it. A second open of the same directory in the
 * same JVM is refused ({@code OverlappingFileLockException}), and {@code AuditAppender.lockDirectory} then closes its own
 * channel on the lock file, which silently releases the first writer's lock: another process (a second replica on the
 * volume) can then take the directory while the first still writes, and the two fork the chain. A second process is
 * played by python's {@code fcntl.lockf}, the same kind of lock the JDK takes.
 */
class AuditLockLostOnRefusedSecondOpenReviewBDTest {

    @TempDir
    Path dir;

    @Test
    void aRefusedSecondOpenLeavesTheFirstWritersLockInPlace() throws Exception {
        AuditConfig config = new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 100, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.DIGEST);
        try (AuditLog first = AuditLog.open(config)) {
            assertThat(otherProcessCanLock()).as("control: the first writer holds the directory").isFalse();

            assertThatThrownBy(() -> AuditLog.open(config)).as("control: a second writer is refused").isInstanceOf(IOException.class);

            assertThat(otherProcessCanLock()).as("after the refused second open, another process must still be kept out").isFalse();
        }
    }

    /** Whether another process gets an exclusive lock on the directory's lock file right now (it releases it at once). */
    private boolean otherProcessCanLock() throws Exception {
        Path lock = dir.resolve(AuditAppender.LOCK_FILE);
        Process process = new ProcessBuilder("python3", "-c", "import fcntl,sys\nf=open(sys.argv[1],'a')\n"
                + "try:\n  fcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB)\n  print('locked')\nexcept OSError:\n  print('held')",
                lock.toString()).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(out).as("python3 fcntl probe").isIn("locked", "held");
        return out.equals("locked");
    }
}
