package io.hourglass.cli;

import io.hourglass.archive.ArchiveTopics;
import io.hourglass.archive.KafkaRestore;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.spi.FileStorageIo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;

/**
 * The {@code hourglass} command's utilities (the service itself is {@code hourglass serve}):
 * {@code restore --from-kafka} works offline on files and Kafka; sql, backup, restore (from a
 * backup), destroy, admin and status act on a running service over gRPC
 * ({@link ServiceCommands}).
 *
 * <p>Exit codes: 0 done, 1 the operation failed (the TTnnnn message says why), 2 bad usage,
 * 3 the service cannot be reached.
 */
public final class HourglassCli {
    static final int OK = 0, FAILED = 1, USAGE = 2, UNREACHABLE = 3;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final ServiceCommands service;

    HourglassCli(PrintStream out, PrintStream err, Map<String, String> env) {
        this(out, err, InputStream.nullInputStream(), out, env);
    }

    /** {@code rawOut}: where a streamFull backup's bytes go (standard output, unbuffered by lines). */
    HourglassCli(PrintStream out, PrintStream err, InputStream in, java.io.OutputStream rawOut, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.service = new ServiceCommands(out, err, in, rawOut, env);
    }

    public static void main(String[] args) {
        // The Kafka client logs through JUL here: keep it to warnings.
        java.util.logging.Logger.getLogger("org.apache.kafka").setLevel(Level.WARNING);
        java.io.OutputStream raw = new java.io.FileOutputStream(java.io.FileDescriptor.out);
        System.exit(new HourglassCli(System.out, System.err, System.in, raw, System.getenv()).run(args));
    }

    int run(String[] args) {
        if (args.length == 0) return usage("no command");
        try {
            return switch (args[0]) {
                case "restore" -> List.of(args).contains("--from-kafka") ? restore(List.of(args).subList(1, args.length))
                        : service.restore(List.of(args).subList(1, args.length));
                case "sql" -> service.sql(List.of(args).subList(1, args.length));
                case "backup" -> service.backup(List.of(args).subList(1, args.length));
                case "destroy" -> service.destroy(List.of(args).subList(1, args.length));
                case "admin" -> service.admin(List.of(args).subList(1, args.length));
                case "status" -> service.status(List.of(args).subList(1, args.length));
                case "cache-cleanup" -> cacheCleanup(List.of(args).subList(1, args.length));
                case "help", "--help", "-h" -> {
                    out.println(USAGE_TEXT);
                    yield OK;
                }
                default -> usage("unknown command " + args[0]);
            };
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (HourglassException e) {
            err.println(e.getMessage());
            return FAILED;
        }
    }

    private static final String USAGE_TEXT = """
            usage: hourglass serve [JVM options]
                   hourglass sql "DSN=..;UID=..;PWD=.." [-f FILE]          (ttIsql; standard input works too)
                   hourglass backup -dir DIR [-type T] [-fname F] [-force] [-q] DSN
                            T: fileFull (default), fileFullEnable, fileIncremental, fileIncrOrFull,
                               streamFull (to standard output, no -dir), incrementalStop
                   hourglass restore -dir DIR [-fname F] DSN | hourglass restore -i DSN   (-i: a stream on stdin)
                   hourglass destroy [-wait [-timeout S]] [-force] DSN
                   hourglass admin [-ramPolicy always|manual|inUse] [-ramGrace S] [-autoreload | -noautoreload]
                                   [-ramLoad | -ramUnload] [-query] DSN
                   hourglass status [DSN]
              These act on a running service: --server HOST:PORT (default HOURGLASS_SERVER or localhost:8080),
              --user (default ADMIN) and --password (default HOURGLASS_ADMIN_PASSWORD), or -connstr "DSN=..;UID=..;PWD=..".
              Exit codes: 0 done, 1 failed (the TT message says why), 2 bad usage, 3 service unreachable.
                   hourglass restore --from-kafka DSN [--to-time ISO-8601 | --to-lsn FILE.OFFSET] [--if-empty]
                                     [--into DSN] [--data-store PATH] [--log-dir DIR] [--perm-size MB]
                                     [--bootstrap-servers HOST:PORT] [--topic-prefix P] [--config FILE]
              restore rebuilds DSN from its Kafka archive alone (docs/ARCHIVE.md) into a database that
              does not exist yet: --into names it (default DSN); its DataStore, LogDir and PermSize come
              from --config (default config/application.properties, then the built-in one) unless given.
              --if-empty: do nothing when DSN has files or nothing is archived (a pod's init container).
              Kafka client settings: kafka.* keys of the configuration and KAFKA_* environment variables.
                   hourglass cache-cleanup [--database DSN] [--id ID] [--drop]
                                           [--backend-url URL] [--backend-user U] [--config FILE]
              cache-cleanup (TimesTen's cacheCleanUp) lists the objects cache groups made in the PostgreSQL
              backend, whose database and group, and with --drop removes those of --database DSN (or of the
              group with backend id ID): for a database that is gone without DROP CACHE GROUP. The backend
              and user come from the options, else DSN's cache-backend-url and cache-uid (environment
              HOURGLASS_DATABASES_<DSN>_CACHE_*, then --config); the password from
              HOURGLASS_DATABASES_<DSN>_CACHE_PWD, the configuration's cache-pwd or PGPASSWORD.""";

    private int usage(String why) {
        err.println("hourglass: " + why);
        err.println(USAGE_TEXT);
        return USAGE;
    }

    static final class UsageException extends RuntimeException {
        UsageException(String m) { super(m); }
    }

    // ---- restore --------------------------------------------------------------------------------

    private int restore(List<String> all) {
        boolean ifEmpty = all.contains("--if-empty");
        List<String> args = all.stream().filter(a -> !a.equals("--if-empty")).toList();
        Map<String, String> o = options(args, List.of("--from-kafka", "--to-time", "--to-lsn", "--into", "--data-store",
                "--log-dir", "--perm-size", "--bootstrap-servers", "--topic-prefix", "--config"));
        String source = o.get("--from-kafka");
        if (source == null) throw new UsageException("restore needs --from-kafka DSN");
        String into = o.getOrDefault("--into", source);
        Properties p = config(o.get("--config"));
        String prefix = "hourglass.databases." + into.toLowerCase(Locale.ROOT) + ".";
        String dataStore = o.getOrDefault("--data-store", find(p, prefix + "data-store"));
        if (dataStore == null) throw new UsageException("no DataStore for " + into + ": give --data-store or configure " + prefix + "data-store");
        String logDir = o.getOrDefault("--log-dir", find(p, prefix + "log-dir"));
        String perm = o.getOrDefault("--perm-size", find(p, prefix + "perm-size"));
        String servers = o.getOrDefault("--bootstrap-servers", env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS",
                p.getProperty("kafka.bootstrap.servers", "localhost:" + env.getOrDefault("HOURGLASS_KAFKA_PORT", "9092"))));
        String topicPrefix = o.getOrDefault("--topic-prefix", p.getProperty("hourglass.archive.topic-prefix", "hourglass"));
        DatabaseConfig target;
        try {
            target = DatabaseConfig.defaults(into, dataStore).withLogDir(logDir);
            if (perm != null) target = target.withPermSize(Long.parseLong(perm.trim()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        KafkaRestore.Target goal = KafkaRestore.Target.parse(o.get("--to-lsn"), o.get("--to-time"));
        ArchiveTopics topics = new ArchiveTopics(kafkaSettings(p, servers), topicPrefix, source);
        if (ifEmpty && !needsRestore(target, topics)) return OK;
        err.printf("Restoring %s from Kafka %s (topics %s.*) into %s at %s, up to %s%n", source, servers,
                topicPrefix + "." + source.toLowerCase(Locale.ROOT), into, dataStore, goal);
        ProgressBar bar = new ProgressBar(err);
        KafkaRestore.Result r = KafkaRestore.run(topics, target, FileStorageIo.INSTANCE, goal,
                Math.max(1, Runtime.getRuntime().availableProcessors()), bar::show);
        bar.end();
        out.printf("Restored %s into %s: %s, %d transaction(s) replayed (%d changes), %d rows; the log goes on at %s%s.%n",
                source, into, r.checkpointId() == 0 ? "from the database's start" : "from checkpoint " + r.checkpointId()
                        + " (" + r.snapshotBytes() + " image bytes)", r.transactions(), r.changes(), r.rows(),
                Lsn.of(r.endLsn()), r.newDatabaseId() ? "; it stops before the archive's end, so it is a new database "
                        + "(it will not ship into " + source + "'s topics)" : "");
        out.printf("Took %d ms (image %d ms, log %d ms).%n", r.totalMillis(), r.snapshotMillis(), r.logMillis());
        return OK;
    }

    // ---- cache-cleanup ----------------------------------------------------------------------------

    private int cacheCleanup(List<String> all) {
        boolean drop = all.contains("--drop");
        Map<String, String> o = options(all.stream().filter(a -> !a.equals("--drop")).toList(),
                List.of("--database", "--id", "--backend-url", "--backend-user", "--config"));
        String dsn = o.get("--database"), id = o.get("--id");
        if (drop && dsn == null && id == null) throw new UsageException("cache-cleanup --drop needs --database DSN or --id ID");
        Properties p = dsn == null && o.get("--config") == null ? new Properties() : config(o.get("--config"));
        String url = o.getOrDefault("--backend-url", databaseSetting(p, dsn, "cache-backend-url"));
        String user = o.getOrDefault("--backend-user", databaseSetting(p, dsn, "cache-uid"));
        String password = databaseSetting(p, dsn, "cache-pwd");
        if (password == null) password = env.get("PGPASSWORD");
        if (url == null) throw new UsageException("no backend: give --backend-url or configure " + (dsn == null ? "the database's" : dsn + "'s") + " cache-backend-url");
        if (user == null) throw new UsageException("no backend user: give --backend-user or configure cache-uid");
        java.sql.Connection c = null;
        try {
            c = io.hourglass.cache.CacheCleanup.connect(url, user, password);
            List<io.hourglass.cache.CacheCleanup.Leftover> found = io.hourglass.cache.CacheCleanup.find(c).stream()
                    .filter(l -> (dsn == null || l.isOf(dsn)) && (id == null || l.id().equalsIgnoreCase(id))).toList();
            String which = (dsn == null ? "" : " of database " + dsn) + (id == null ? "" : " with id " + id);
            if (found.isEmpty()) {
                out.printf("No cache group objects%s in %s.%n", which, url);
                return OK;
            }
            out.printf("%d cache group(s)%s left objects in %s:%n", found.size(), which, url);
            for (var l : found) {
                out.println("  " + l.describe());
                if (drop) {
                    io.hourglass.cache.CacheCleanup.drop(c, l);
                    out.println("    removed");
                }
            }
            if (!drop) {
                out.println("Nothing removed; add --drop to remove them. Only for a database that is gone: a live one's change log"
                        + " is made again at its next refresh (a full one), and a live ASYNCHRONOUS WRITETHROUGH group without its"
                        + " bookmark stops sending until it is dropped and created again.");
            }
            return OK;
        } catch (io.hourglass.engine.spi.CacheBackend.Failure e) {
            err.println("hourglass cache-cleanup: " + e.getMessage());
            return e.connection() ? UNREACHABLE : FAILED;
        } finally {
            io.hourglass.cache.CacheCleanup.close(c);
        }
    }

    /**
     * A database's setting as the service reads it: the environment
     * ({@code HOURGLASS_DATABASES_<DSN>_CACHE_PWD}), then the configuration file; null without a DSN.
     */
    private String databaseSetting(Properties p, String dsn, String key) {
        if (dsn == null) return null;
        String name = ("HOURGLASS_DATABASES_" + dsn + "_" + key).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        String v = env.get(name);
        return v != null && !v.isEmpty() ? v : find(p, "hourglass.databases." + dsn.toLowerCase(Locale.ROOT) + "." + key);
    }

    /**
     * For {@code --if-empty} (a pod's init container, docs/KUBERNETES.md): false, with a line
     * saying why, when the database already has files or nothing was ever archived (a new
     * database starts empty); true when its volume is empty and the archive holds it. Kafka
     * not answering is an error (exit 1), so a pod never starts empty beside a full archive.
     */
    private boolean needsRestore(DatabaseConfig target, ArchiveTopics topics) {
        try {
            if (Database.prepareRestoreTarget(target, FileStorageIo.INSTANCE)) {
                out.printf("Removed the files of a restore of %s that was cut short; restoring again.%n", target.name());
            }
        } catch (HourglassException e) {
            if (e.code() != ErrorCode.DATABASE_EXISTS) throw e;
            out.printf("%s has files already (%s): nothing to restore.%n", target.name(), target.dataStore());
            return false;
        }
        try {
            if (!topics.holdsAnything()) {
                out.printf("Nothing is archived in %s: %s starts as a new database.%n", topics.log(), target.name());
                return false;
            }
        } catch (IOException e) {
            throw ErrorCode.ARCHIVE_RESTORE_FAILED.error(e.getMessage());
        }
        return true;
    }

    /**
     * The Kafka client settings: every {@code kafka.*} key of the configuration file, then every
     * {@code KAFKA_*} environment variable (KAFKA_SASL_JAAS_CONFIG is sasl.jaas.config), as the
     * service reads them; the bootstrap servers as chosen.
     */
    private Map<String, Object> kafkaSettings(Properties p, String servers) {
        Map<String, Object> k = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("kafka.")) k.put(key.substring("kafka.".length()), p.getProperty(key).trim());
        }
        env.forEach((name, value) -> {
            if (name.startsWith("KAFKA_") && !value.isEmpty()) {
                k.put(name.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        k.put("bootstrap.servers", servers);
        return k;
    }

    /** --name value pairs; anything else is a usage error. */
    private static Map<String, String> options(List<String> args, List<String> known) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value = null;
            int eq = a.indexOf('=');
            if (eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (!known.contains(a)) throw new UsageException("unknown option " + a);
            if (value == null) {
                if (i + 1 >= args.size()) throw new UsageException(a + " needs a value");
                value = args.get(++i);
            }
            o.put(a, value);
        }
        return o;
    }

    /** The service's configuration file (profile-free keys only), or the built-in one. */
    private Properties config(String file) {
        Properties p = new Properties();
        try {
            Path f = file != null ? Path.of(file) : Path.of("config", "application.properties");
            if (Files.exists(f)) {
                try (Reader r = Files.newBufferedReader(f)) {
                    p.load(r);
                }
            } else if (file != null) {
                throw new UsageException("no configuration file " + file);
            } else {
                try (InputStream in = HourglassCli.class.getClassLoader().getResourceAsStream("application.properties")) {
                    if (in != null) p.load(in);
                }
            }
        } catch (IOException e) {
            throw new UsageException("cannot read the configuration: " + e.getMessage());
        }
        return p;
    }

    /** A property by key, ignoring the case of the DSN part. */
    private static String find(Properties p, String key) {
        for (String k : p.stringPropertyNames()) {
            if (k.equalsIgnoreCase(key)) return p.getProperty(k);
        }
        return null;
    }

    /** One line on standard error, redrawn: phase, amount, rate, ETA. */
    static final class ProgressBar {
        private final PrintStream err;
        private String phase = "";

        ProgressBar(PrintStream err) { this.err = err; }

        void show(KafkaRestore.Progress p) {
            if (!p.phase().equals(phase)) {
                if (!phase.isEmpty()) err.println();
                phase = p.phase();
            }
            if (p.phase().equals("done")) return;
            if (p.phase().equals("writing")) {
                err.print("writing  the new database's files (a blocking checkpoint)");
                return;
            }
            String unit = p.phase().equals("snapshot") ? "MB" : "records";
            double scale = p.phase().equals("snapshot") ? 1 << 20 : 1;
            int width = 30;
            int filled = p.total() <= 0 ? 0 : (int) Math.min(width, width * p.done() / p.total());
            err.printf("\r%-8s [%s%s] %,.1f / %,.1f %s  %,.0f %s/s  ETA %s   ", p.phase(), "#".repeat(filled),
                    " ".repeat(width - filled), p.done() / scale, p.total() / scale, unit, p.perSecond() / scale, unit,
                    p.etaMillis() < 0 ? "?" : String.format("%.1f s", p.etaMillis() / 1000.0));
        }

        void end() {
            if (!phase.isEmpty() && !phase.equals("done")) err.println();
        }
    }
}
