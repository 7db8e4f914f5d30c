package io.hourglass.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifests under {@code kubernetes/} parse as Kubernetes objects, keep their rules
 * ({@link Manifests#problems()}), point their probes at endpoints this service really answers,
 * and a manifest with a wrong probe path, port, target port, size or topic prefix is caught.
 */
@QuarkusTest
class ManifestsTest {
    private Manifests m;

    @BeforeEach
    void load() throws Exception {
        m = Manifests.load(Manifests.DIR);
    }

    @Test
    void everyFileParsesAsKubernetesObjectsAndTheKustomizationListsThem() throws Exception {
        assertEquals(1, m.all(StatefulSet.class).size());
        assertEquals(3, m.all(Service.class).size());
        assertEquals(1, m.all(ConfigMap.class).size());
        assertEquals(1, m.all(Secret.class).size());
        assertEquals(1, m.all(PodDisruptionBudget.class).size());
        for (String r : m.kustomized) assertTrue(Files.exists(Manifests.DIR.resolve(r)), "kustomization lists a missing " + r);
        try (var files = Files.list(Manifests.DIR)) {
            List<String> yaml = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).toList();
            for (String f : yaml) {
                if (f.equals("kustomization.yaml") || f.equals("secret.example.yaml")) continue;
                assertTrue(m.kustomized.contains(f), f + " is not in kustomization.yaml");
            }
        }
        assertFalse(m.kustomized.contains("secret.example.yaml"), "the example Secret must not be applied as it is");
    }

    @Test
    void theShippedManifestsKeepEveryRule() throws Exception {
        assertEquals(List.of(), m.problems());
        // The sizing rule at work on the shipped numbers: 2 x 256 + 72 + 64 = 648 MiB of heap, 776 MiB of memory.
        Map<String, Manifests.Database> dbs = Manifests.databases(m.serviceConfig());
        assertEquals(256, dbs.get("sampledb").permSizeMb());
        assertEquals(72, dbs.get("sampledb").tempSizeMb(), "TimesTen's default for PermSize 256");
        Container c = container();
        assertTrue(c.getArgs().contains("-Xmx648m"));
        assertTrue(c.getArgs().contains("-Xms648m"));
        assertEquals(new Quantity("776Mi"), c.getResources().getLimits().get("memory"));
    }

    @Test
    void theProbesAskEndpointsTheServiceAnswers() {
        // The test service is up and its databases loaded: each probe path answers 200 here.
        for (String kind : List.of("startup", "liveness", "readiness")) {
            String path = switch (kind) {
                case "startup" -> container().getStartupProbe().getHttpGet().getPath();
                case "liveness" -> container().getLivenessProbe().getHttpGet().getPath();
                default -> container().getReadinessProbe().getHttpGet().getPath();
            };
            given().get(path).then().statusCode(200);
        }
    }

    @Test
    void aWrongProbePathIsCaught() throws Exception {
        broken(c -> c.getLivenessProbe().getHttpGet().setPath("/healthz"), "the liveness probe asks /healthz");
        broken(c -> c.getReadinessProbe().getHttpGet().setPath("/q/health/live"), "the readiness probe asks /q/health/live");
        broken(c -> c.setStartupProbe(null), "no HTTP startup probe");
    }

    @Test
    void aWrongProbePortIsCaught() throws Exception {
        broken(c -> c.getLivenessProbe().getHttpGet().setPort(new IntOrString(9000)), "the liveness probe's port");
        broken(c -> c.getReadinessProbe().getHttpGet().setPort(new IntOrString("grpc")), "the readiness probe's port");
        broken(c -> c.getPorts().get(0).setContainerPort(8081), "is not the service's port 8080");
    }

    @Test
    void aServiceThatMissesThePortIsCaught() throws Exception {
        m.all(Service.class).get(1).getSpec().getPorts().get(0).setTargetPort(new IntOrString(8443));
        assertProblem("targets");
    }

    @Test
    void memoryBelowPermSizeIsCaught() throws Exception {
        broken(c -> c.getArgs().replaceAll(a -> a.startsWith("-Xmx") ? "-Xmx256m" : a), "is less than 2 x PermSize + TempSize + LogBufMB");
        broken(c -> c.getArgs().removeIf(a -> a.startsWith("-Xms")), "-Xms null is not the -Xmx");
        broken(c -> c.getArgs().replaceAll(a -> a.startsWith("-Xms") ? "-Xms64m" : a), "-Xms -Xms64m is not the -Xmx");
        broken(c -> c.getResources().getLimits().put("memory", new Quantity("512Mi")), "differs from the limit");
        // PermSize raised in the ConfigMap without the StatefulSet following.
        load();
        ConfigMap cm = m.one(ConfigMap.class);
        cm.getData().put("application.properties", cm.getData().get("application.properties")
                .replace("sampledb.perm-size=256", "sampledb.perm-size=1024"));
        assertProblem("is less than 2 x PermSize + TempSize + LogBufMB = 2280m"); // TempSize follows PermSize: 168
        // TempSize raised alone.
        load();
        cm = m.one(ConfigMap.class);
        cm.getData().put("application.properties", cm.getData().get("application.properties") + "\nhourglass.databases.sampledb.temp-size=500\n");
        assertProblem("is less than 2 x PermSize + TempSize + LogBufMB = 1076m");
    }

    @Test
    void aRestoreFromOtherTopicsOrIntoAFullVolumeIsCaught() throws Exception {
        Container init = m.one(StatefulSet.class).getSpec().getTemplate().getSpec().getInitContainers().get(0);
        int i = init.getArgs().indexOf("--topic-prefix");
        init.getArgs().set(i + 1, "hourglass");
        assertProblem("restores from topics hourglass.*");
        load();
        m.one(StatefulSet.class).getSpec().getTemplate().getSpec().getInitContainers().get(0).getArgs().remove("--if-empty");
        assertProblem("--if-empty");
    }

    @Test
    void shortGraceAndMissingSecretKeysAreCaught() throws Exception {
        m.one(StatefulSet.class).getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(30L);
        assertProblem("terminationGracePeriodSeconds 30");
        load();
        m.one(Secret.class).getStringData().remove("admin-password");
        assertProblem("HOURGLASS_ADMIN_PASSWORD reads hourglass-secrets/admin-password");
    }

    private Container container() {
        return m.one(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private void broken(Consumer<Container> change, String expected) throws Exception {
        load();
        change.accept(container());
        assertProblem(expected);
    }

    private void assertProblem(String expected) throws Exception {
        List<String> p = m.problems();
        assertTrue(p.stream().anyMatch(s -> s.contains(expected)), "expected a problem with \"" + expected + "\", got " + p);
    }
}
