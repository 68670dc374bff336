package dev.tollgate.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tollgate}: the gateway's command line. */
@Command(name = "tollgate",
        mixinStandardHelpOptions = true,
        version = "tollgate 0.1.0",
        description = "Policy-enforcing gateway between AI agents and the MCP servers they call.",
        subcommands = {RunCommand.class, VerifyCommand.class, ExplainCommand.class, AuditCommand.class, ReplayCommand.class,
                ImportAgtCommand.class, PinCommand.class, DevKeysCommand.class, TokenCommand.class, DevCertsCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class TollgateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int exit = new CommandLine(new TollgateCommand()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
