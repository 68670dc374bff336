package dev.tollgate.gateway.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports a test fixes in advance (a listener a route names, an instance stopped and brought back on its port, a
 * port nothing listens on), chosen below the kernel's ephemeral range.
 * <p>
 * A port the kernel hands out for {@code bind(0)} can be given to any other socket, a listener bound to port 0 or an
 * outgoing connection's local end, between the moment a test lets it go and the moment it binds it again: a CI run failed
 * with "Address already in use" bringing an instance back on the port it had. The kernel gives a port below its ephemeral
 * range to no socket that does not ask for it by number, and this class never hands the same one out twice in a run.
 */
public final class TestPorts {

    private static final int LOWEST = 20_000;
    private static final int ATTEMPTS = 500;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int EPHEMERAL_LOWEST = ephemeralLowest();

    private TestPorts() {
    }

    /** A loopback port free now, which no socket will take unless asked to bind it by number. */
    public static int unclaimed() throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = random.nextInt(LOWEST, EPHEMERAL_LOWEST);
            if (HANDED_OUT.add(port) && bindable(port)) {
                return port;
            }
        }
        throw new IOException("no free loopback port in [" + LOWEST + ", " + EPHEMERAL_LOWEST + ") after " + ATTEMPTS + " tries");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** Linux's {@code ip_local_port_range} lower bound; 32768 (its default) where it cannot be read. */
    private static int ephemeralLowest() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int lowest = Integer.parseInt(range.split("\\s+")[0]);
            return lowest > LOWEST + 1_000 ? lowest : 32_768;
        } catch (IOException | RuntimeException unreadable) {
            return 32_768;
        }
    }
}
