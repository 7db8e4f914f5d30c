package io.hourglass.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manifests under {@code kubernetes/}, read as Kubernetes objects (the fabric8 model), and
 * the rules they must keep with each other and with the service: probes on the health
 * endpoints and the service's port, Services reaching a container port, the volume holding
 * every database's files, memory derived from PermSize and LogBufMB, an init container that
 * restores each database from the same topics the service archives to, secrets that exist.
 * {@link #problems()} lists every rule broken, so a test can both pass the shipped manifests
 * and show that a broken one is caught.
 */
final class Manifests {
    static final Path DIR = Path.of("kubernetes");
    /** What the native runtime, threads and I/O buffers need beyond the heap. */
    static final long OVERHEAD_MIB = 128;
    /** The unload checkpoint must have time to finish after SIGTERM. */
    static final long MIN_GRACE_SECONDS = 60;
    static final Map<String, String> PROBE_PATHS = Map.of("startup", "/q/health/started", "liveness", "/q/health/live",
            "readiness", "/q/health/ready");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    final List<HasMetadata> objects = new ArrayList<>();
    final List<String> kustomized = new ArrayList<>();

    /** Every object of every {@code .yaml} file under {@code dir}; the kustomization's resource list. */
    static Manifests load(Path dir) throws IOException {
        Manifests m = new Manifests();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                if (f.getFileName().toString().equals("kustomization.yaml")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> k = YAML.readValue(f.toFile(), Map.class);
                    for (Object r : (List<?>) k.get("resources")) m.kustomized.add(String.valueOf(r));
                    continue;
                }
                try (var it = YAML.readerFor(KubernetesResource.class).<KubernetesResource>readValues(f.toFile())) {
                    while (it.hasNext()) {
                        KubernetesResource r = it.next();
                        if (r == null) continue;
                        if (!(r instanceof HasMetadata h) || r instanceof GenericKubernetesResource) {
                            throw new IOException(f + ": not a known Kubernetes kind: " + r);
                        }
                        m.objects.add(h);
                    }
                }
            }
        }
        return m;
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> kind) {
        List<T> l = all(kind);
        if (l.size() != 1) throw new IllegalStateException("expected one " + kind.getSimpleName() + ", found " + l.size());
        return l.get(0);
    }

    /** The service's configuration as the ConfigMap gives it. */
    Properties serviceConfig() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(one(ConfigMap.class).getData().get("application.properties")));
        return p;
    }

    /** Every rule broken, in words; empty when the manifests are consistent. */
    List<String> problems() throws IOException {
        List<String> out = new ArrayList<>();
        StatefulSet sts = one(StatefulSet.class);
        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();
        Properties config = serviceConfig();
        int httpPort = Integer.parseInt(config.getProperty("quarkus.http.port", "8080"));

        if (!podLabels.entrySet().containsAll(sts.getSpec().getSelector().getMatchLabels().entrySet())) {
            out.add("the StatefulSet's selector does not match its pod labels");
        }
        Service governing = all(Service.class).stream().filter(s -> s.getMetadata().getName().equals(sts.getSpec().getServiceName()))
                .findFirst().orElse(null);
        if (governing == null || !"None".equals(governing.getSpec().getClusterIP())) {
            out.add("serviceName " + sts.getSpec().getServiceName() + " must be a headless Service");
        }
        Container main = pod.getContainers().stream().filter(c -> c.getName().equals("hourglass")).findFirst().orElse(null);
        if (main == null) {
            out.add("no container named hourglass");
            return out;
        }

        // Probes: the health endpoints, on the port the service listens on.
        check(out, "startup", main.getStartupProbe(), main, httpPort);
        check(out, "liveness", main.getLivenessProbe(), main, httpPort);
        check(out, "readiness", main.getReadinessProbe(), main, httpPort);

        // Services reach the service's port and select the pods.
        for (Service s : all(Service.class)) {
            if (!podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet())) {
                out.add("Service " + s.getMetadata().getName() + " selects no hourglass pod");
            }
            for (ServicePort sp : s.getSpec().getPorts()) {
                Integer target = port(main, sp.getTargetPort());
                if (target == null || target != httpPort) {
                    out.add("Service " + s.getMetadata().getName() + " port " + sp.getName() + " targets " + sp.getTargetPort()
                            + ", not the service's port " + httpPort);
                }
            }
        }
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class);
        if (!podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet())) {
            out.add("the PodDisruptionBudget selects no hourglass pod");
        }

        // Graceful shutdown long enough for the unload checkpoint.
        Long grace = pod.getTerminationGracePeriodSeconds();
        if (grace == null || grace < MIN_GRACE_SECONDS) {
            out.add("terminationGracePeriodSeconds " + grace + " leaves the unload checkpoint less than " + MIN_GRACE_SECONDS + " s");
        }

        // Volumes: every database's files on the data volume, the ConfigMap where Quarkus reads it.
        Map<String, Database> dbs = databases(config);
        List<Container> all = new ArrayList<>(pod.getContainers());
        all.addAll(pod.getInitContainers() == null ? List.of() : pod.getInitContainers());
        String claim = sts.getSpec().getVolumeClaimTemplates().stream().map(v -> v.getMetadata().getName()).findFirst().orElse("");
        for (Container c : all) {
            String dataMount = mount(c, claim);
            for (Database d : dbs.values()) {
                for (String path : List.of(d.dataStore, Objects.requireNonNullElse(d.logDir, d.dataStore))) {
                    if (dataMount == null || !path.startsWith(dataMount + "/")) {
                        out.add(c.getName() + ": " + d.name + "'s files at " + path + " are not on the volume " + claim
                                + " (mounted at " + dataMount + ")");
                    }
                }
            }
            Volume cfg = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null
                    && v.getConfigMap().getName().equals(one(ConfigMap.class).getMetadata().getName())).findFirst().orElse(null);
            if (cfg == null || !"/work/config".equals(mount(c, cfg.getName()))) {
                out.add(c.getName() + ": the ConfigMap must be mounted at /work/config (config/application.properties of the working directory)");
            }
            sizing(out, c, dbs);
            secrets(out, c);
            if (!Objects.equals(c.getImage(), main.getImage())) out.add(c.getName() + " runs another image than the service");
        }

        // Each persistent database restored from Kafka when its volume is empty, from the service's own topics.
        String prefix = env(main, "HOURGLASS_ARCHIVE_TOPIC_PREFIX");
        for (Database d : dbs.values()) {
            Container init = (pod.getInitContainers() == null ? List.<Container>of() : pod.getInitContainers()).stream()
                    .filter(c -> c.getArgs() != null && c.getArgs().contains("--from-kafka")
                            && d.name.equalsIgnoreCase(after(c.getArgs(), "--from-kafka")))
                    .findFirst().orElse(null);
            if (init == null) {
                out.add("no init container restores " + d.name + " from Kafka");
                continue;
            }
            if (!init.getArgs().contains("--if-empty")) out.add(init.getName() + " must restore only into an empty volume (--if-empty)");
            if (!Objects.equals(after(init.getArgs(), "--topic-prefix"), prefix)) {
                out.add(init.getName() + " restores from topics " + after(init.getArgs(), "--topic-prefix") + ".* but the service archives to "
                        + prefix + ".*");
            }
        }
        return out;
    }

    private static void check(List<String> out, String kind, Probe p, Container c, int httpPort) {
        if (p == null || p.getHttpGet() == null) {
            out.add("no HTTP " + kind + " probe");
            return;
        }
        if (!PROBE_PATHS.get(kind).equals(p.getHttpGet().getPath())) {
            out.add("the " + kind + " probe asks " + p.getHttpGet().getPath() + ", not " + PROBE_PATHS.get(kind));
        }
        Integer port = port(c, p.getHttpGet().getPort());
        if (port == null || port != httpPort) {
            out.add("the " + kind + " probe's port " + p.getHttpGet().getPort() + " is not the service's port " + httpPort);
        }
    }

    /** A port given by name or number, as the container's port number; null if it names none. */
    private static Integer port(Container c, IntOrString p) {
        if (p == null) return null;
        if (p.getIntVal() != null) return p.getIntVal();
        for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
            if (p.getStrVal().equals(cp.getName())) return cp.getContainerPort();
        }
        return null;
    }

    private static String mount(Container c, String volume) {
        for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
            if (m.getName().equals(volume)) return m.getMountPath();
        }
        return null;
    }

    /** -Xmx covers every database's 2 x PermSize + TempSize + LogBufMB, -Xms = -Xmx; memory = -Xmx + overhead, request = limit. */
    private static void sizing(List<String> out, Container c, Map<String, Database> dbs) {
        long heapNeeded = dbs.values().stream().mapToLong(d -> 2 * d.permSizeMb + d.tempSizeMb + d.logBufMb).sum();
        String xmx = c.getArgs() == null ? null : c.getArgs().stream().filter(a -> a.startsWith("-Xmx")).findFirst().orElse(null);
        long heap = xmx == null ? -1 : mib(xmx.substring(4));
        if (heap < heapNeeded) out.add(c.getName() + ": -Xmx " + xmx + " is less than 2 x PermSize + TempSize + LogBufMB = " + heapNeeded + "m");
        // The heap is taken whole at start: a load grows the live set by the whole database, and a
        // heap growing under it collects at every step (the native runtime's serial collector did
        // four full collections, about half of a 1 GB database's image load).
        String xms = c.getArgs() == null ? null : c.getArgs().stream().filter(a -> a.startsWith("-Xms")).findFirst().orElse(null);
        if (xms == null || mib(xms.substring(4)) != heap) out.add(c.getName() + ": -Xms " + xms + " is not the -Xmx " + xmx);
        var res = c.getResources();
        Quantity req = res == null || res.getRequests() == null ? null : res.getRequests().get("memory");
        Quantity lim = res == null || res.getLimits() == null ? null : res.getLimits().get("memory");
        if (req == null || lim == null) {
            out.add(c.getName() + ": no memory request and limit");
            return;
        }
        long reqMib = Quantity.getAmountInBytes(req).divide(BigDecimal.valueOf(1 << 20)).longValue();
        if (Quantity.getAmountInBytes(req).compareTo(Quantity.getAmountInBytes(lim)) != 0) {
            out.add(c.getName() + ": memory request " + req + " differs from the limit " + lim);
        }
        if (reqMib < Math.max(heap, heapNeeded) + OVERHEAD_MIB) {
            out.add(c.getName() + ": memory " + req + " is less than the heap (" + Math.max(heap, heapNeeded) + "Mi) + " + OVERHEAD_MIB + "Mi");
        }
    }

    /** Every secret a container reads is in the Secret, unless optional. */
    private void secrets(List<String> out, Container c) {
        Secret secret = one(Secret.class);
        for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
            var ref = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
            if (ref == null) continue;
            boolean present = ref.getName().equals(secret.getMetadata().getName()) && secret.getStringData().containsKey(ref.getKey());
            if (!present && !Boolean.TRUE.equals(ref.getOptional())) {
                out.add(c.getName() + ": " + e.getName() + " reads " + ref.getName() + "/" + ref.getKey() + ", which the Secret does not have");
            }
        }
        boolean password = c.getEnv() != null && c.getEnv().stream().anyMatch(e -> e.getName().equals("HOURGLASS_ADMIN_PASSWORD")
                && e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null);
        if (!password) out.add(c.getName() + ": HOURGLASS_ADMIN_PASSWORD must come from the Secret");
    }

    private static String env(Container c, String name) {
        for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
            if (e.getName().equals(name)) return e.getValue();
        }
        return null;
    }

    private static String after(List<String> args, String option) {
        int i = args.indexOf(option);
        return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
    }

    record Database(String name, String dataStore, String logDir, long permSizeMb, long tempSizeMb, long logBufMb) {}

    private static final Pattern DB_KEY = Pattern.compile("hourglass\\.databases\\.([^.]+)\\.([a-z-]+)");

    /** The persistent databases the configuration defines, with the attributes sizing needs (defaults as the service's). */
    static Map<String, Database> databases(Properties p) {
        Map<String, Map<String, String>> byName = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            Matcher m = DB_KEY.matcher(k);
            if (m.matches()) byName.computeIfAbsent(m.group(1), x -> new TreeMap<>()).put(m.group(2), p.getProperty(k).trim());
        }
        Map<String, Database> out = new TreeMap<>();
        byName.forEach((name, a) -> {
            if (Boolean.parseBoolean(a.getOrDefault("temporary", "false"))) return;
            long perm = Long.parseLong(a.getOrDefault("perm-size", "256"));
            long temp = Long.parseLong(a.getOrDefault("temp-size", "0"));
            out.put(name, new Database(name, a.get("data-store"), a.get("log-dir"), perm,
                    temp != 0 ? temp : io.hourglass.engine.store.TempSpace.defaultSizeMb(perm),
                    Long.parseLong(a.getOrDefault("log-buf-mb", "64"))));
        });
        return out;
    }

    /** A JVM size (576m, 1g, 2048k) in MiB. */
    static long mib(String size) {
        String s = size.trim().toLowerCase(java.util.Locale.ROOT);
        long n = Long.parseLong(s.replaceAll("[kmg]$", ""));
        return switch (s.charAt(s.length() - 1)) {
            case 'g' -> n << 10;
            case 'm' -> n;
            case 'k' -> n >> 10;
            default -> n >> 20;
        };
    }
}
