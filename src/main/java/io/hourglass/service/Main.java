package io.hourglass.service;

import io.hourglass.cli.HourglassCli;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * One entry point for the jar and the native binary: {@code serve} (or no command) runs the
 * service; any other command is one of the {@code hourglass} utilities, run without starting
 * the service. So {@code java -jar quarkus-run.jar backup ...} and a native
 * {@code hourglass backup ...} behave alike.
 */
@QuarkusMain
public class Main {
    public static void main(String... args) {
        if (args.length > 0 && !args[0].equals("serve")) {
            HourglassCli.main(args);
            return;
        }
        Quarkus.run(args.length > 0 ? java.util.Arrays.copyOfRange(args, 1, args.length) : args);
    }
}
