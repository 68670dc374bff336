package dev.tollgate.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tollgate}: the gateway's command line. */
@Command(name = "tollgate",
        mixinStandardHelpOptions = true,
        version = "tollgate 0.1.0",
        description = "Policy-enforcing gateway between AI agents and the MCP servers they call.",
        subcommands = {RunCommand.class, VerifyCommand.class, ExplainCommand.class, AuditCommand.class, ReplayCommand.class,
                ImportAgtCommand.class, PinCommand.class, DevKeysCommand.class, TokenCommand.class, DevCertsCommand.class, DemoCommand.class, SchemaCommand.class, CommandLine.HelpCommand.class})
public final class TollgateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        chooseLogFormat();
        int exit = new CommandLine(new TollgateCommand()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    /**
     * {@code TOLLGATE_LOG_FORMAT} (json or text, any case) picks the log format; unset, a person at a terminal gets text
     * and everything else (containers, systemd, pipes) JSON. Set before the first logger exists: logback reads it once.
     */
    static void chooseLogFormat() {
        String asked = System.getenv("TOLLGATE_LOG_FORMAT");
        String format = asked != null && !asked.isBlank() ? asked.trim().toUpperCase(java.util.Locale.ROOT)
                : System.console() != null ? "TEXT" : "JSON";
        System.setProperty("TOLLGATE_LOG_FORMAT", format.equals("TEXT") ? "TEXT" : "JSON");
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
