package io.aggregationgateway.server.deploy;

import io.aggregationgateway.server.config.ConfigLoader;
import io.aggregationgateway.server.config.GatewayConfig;
import io.aggregationgateway.server.support.RepositoryFiles;
import io.aggregationgateway.testsupport.RequiredExecutable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * deploy/kubernetes/ as a cluster would take it: valid YAML; every container probed, limited and
 * non-root; the Service, the PodDisruptionBudget and the ServiceMonitor pointing at the pods and the
 * port they mean; each kustomization listing every file beside it; the flags accepted by the
 * gateway and its memory sized for them; kustomize's build of both variants, and the Kubernetes and
 * Prometheus Operator schemas (kubernetes-models, run by Node.js) on every manifest.
 */
class KubernetesManifestsTest {
    private static final Path KUBERNETES = RepositoryFiles.resolve("deploy/kubernetes");
    /** The variant without persistence (a Deployment) and the one with it (a StatefulSet with a volume). */
    private static final Path BASE = KUBERNETES;
    private static final Path PERSISTENT = KUBERNETES.resolve("persistent");
    private static final Path SCHEMA_CHECK = RepositoryFiles.resolve("server/src/test/kubernetes-schema");
    private static final String KUSTOMIZATION = "kustomization.yaml";
    private static final String APP_LABEL = "app.kubernetes.io/name";

    @TempDir
    Path tmp;

    // ---- files ---------------------------------------------------------------------------------

    @Test
    void everyYamlFileUnderDeployParses() throws IOException {
        List<Path> files = yamlFiles(RepositoryFiles.resolve("deploy"), Integer.MAX_VALUE);
        assertTrue(files.size() >= 10, "found " + files);
        for (Path file : files) {
            assertFalse(Manifest.readAll(file).isEmpty(), file + " is empty");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "common", "persistent"})
    void aKustomizationListsEveryFileBesideItAndNothingMissing(String dir) throws IOException {
        Path root = KUBERNETES.resolve(dir);
        List<String> resources = stringList(kustomization(root).at("resources"), root + " resources");
        Set<String> listedFiles = new TreeSet<>();
        for (String resource : resources) {
            Path target = root.resolve(resource).normalize();
            if (Files.isDirectory(target)) {
                assertTrue(Files.isRegularFile(target.resolve(KUSTOMIZATION)), resource + " has no kustomization.yaml");
            } else {
                assertTrue(Files.isRegularFile(target), root + " lists " + resource + ", which does not exist");
                listedFiles.add(resource);
            }
        }
        Set<String> besideIt = new TreeSet<>();
        for (Path file : yamlFiles(root, 1)) {
            if (!file.getFileName().toString().equals(KUSTOMIZATION)) {
                besideIt.add(file.getFileName().toString());
            }
        }
        assertEquals(besideIt, listedFiles, "the YAML files in " + root + " and those its kustomization lists");
    }

    // ---- pods ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"deployment.yaml", "persistent/statefulset.yaml"})
    void everyContainerIsProbedLimitedAndRunsAsNonRootOnAReadOnlyRoot(String file) throws IOException {
        Manifest workload = single(KUBERNETES.resolve(file));
        Map<String, Object> pod = workload.map("spec.template.spec");
        List<Map<String, Object>> containers = Manifest.listOfMaps(pod.get("containers"), workload + " containers");
        assertFalse(containers.isEmpty());
        Set<String> emptyDirs = new TreeSet<>();
        for (Map<String, Object> volume : Manifest.listOfMaps(pod.get("volumes"), workload + " volumes")) {
            if (volume.containsKey("emptyDir")) {
                emptyDirs.add((String) volume.get("name"));
            }
        }
        for (Map<String, Object> container : containers) {
            String what = workload + " container " + container.get("name");
            Map<String, Integer> ports = new HashMap<>();
            for (Map<String, Object> port : Manifest.listOfMaps(container.get("ports"), what + " ports")) {
                ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
            }
            assertEquals(Map.of("http", 8080), ports, what + " ports");

            assertEquals("/-/ready", Manifest.at(container, "readinessProbe.httpGet.path"), what + " readiness");
            assertEquals("http", Manifest.at(container, "readinessProbe.httpGet.port"), what + " readiness port");
            assertEquals("/-/healthy", Manifest.at(container, "livenessProbe.httpGet.path"), what + " liveness");
            assertEquals("http", Manifest.at(container, "livenessProbe.httpGet.port"), what + " liveness port");
            // Kubernetes' gRPC probe takes a port number only, not a name
            assertEquals(8080, Manifest.at(container, "startupProbe.grpc.port"), what + " gRPC health probe");

            for (String resource : List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")) {
                assertNotNull(Manifest.at(container, "resources." + resource), what + " resources." + resource);
            }
            assertEquals(Manifest.at(container, "resources.requests.memory"), Manifest.at(container, "resources.limits.memory"),
                    what + ": a JVM's heap does not shrink back, so the memory it may use is what it gets");

            Object podUser = Manifest.at(pod, "securityContext.runAsUser");
            Object user = Manifest.at(container, "securityContext.runAsUser");
            assertTrue(user instanceof Integer u && u > 0 || user == null && podUser instanceof Integer p && p > 0,
                    what + " runs as a non-root user id");
            assertEquals(true, Manifest.at(container, "securityContext.runAsNonRoot"), what + " runAsNonRoot");
            assertEquals(true, Manifest.at(container, "securityContext.readOnlyRootFilesystem"), what + " readOnlyRootFilesystem");
            assertEquals(false, Manifest.at(container, "securityContext.allowPrivilegeEscalation"), what + " allowPrivilegeEscalation");
            assertEquals(List.of("ALL"), Manifest.at(container, "securityContext.capabilities.drop"), what + " capabilities");

            Map<String, String> mounts = new HashMap<>();
            for (Map<String, Object> mount : Manifest.listOfMaps(container.get("volumeMounts"), what + " volumeMounts")) {
                mounts.put((String) mount.get("mountPath"), (String) mount.get("name"));
            }
            assertTrue(emptyDirs.contains(mounts.get("/tmp")), what + ": the JVM needs a writable /tmp, an emptyDir: " + mounts);
        }
    }

    @Test
    void theStatefulSetRunsTheDeploymentsPodWithADataVolume() throws IOException {
        Manifest deployment = single(BASE.resolve("deployment.yaml"));
        Manifest statefulSet = single(PERSISTENT.resolve("statefulset.yaml"));
        Map<String, Object> expected = deepCopy(deployment.map("spec.template"));
        Map<String, Object> container = Manifest.asMap(((List<?>) Manifest.at(expected, "spec.containers")).getFirst(), "container");
        @SuppressWarnings("unchecked")
        List<Object> mounts = (List<Object>) container.get("volumeMounts");
        mounts.add(Map.of("name", "data", "mountPath", "/data"));
        assertEquals(expected, statefulSet.map("spec.template"), "the StatefulSet's pod template: the Deployment's plus /data");

        assertEquals(List.of("data"), statefulSet.list("spec.volumeClaimTemplates").stream().map(c -> Manifest.at(c, "metadata.name")).toList());
        assertEquals(deployment.map("spec.selector"), statefulSet.map("spec.selector"));
        Manifest headless = single(PERSISTENT.resolve("headless-service.yaml"));
        assertEquals(headless.name(), statefulSet.string("spec.serviceName"), "the StatefulSet's governing Service");
        assertEquals("None", headless.string("spec.clusterIP"), "the governing Service is headless");
    }

    // ---- what points at what -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"deployment.yaml", "persistent/statefulset.yaml"})
    void theServiceAndTheDisruptionBudgetSelectThePodsAndTheirPort(String file) throws IOException {
        Manifest workload = single(KUBERNETES.resolve(file));
        Map<String, Object> podLabels = workload.map("spec.template.metadata.labels");
        assertSubset(workload.map("spec.selector.matchLabels"), podLabels, workload + " selector");
        assertFalse(workload.map("spec.selector.matchLabels").isEmpty());

        Manifest service = single(KUBERNETES.resolve("common/service.yaml"));
        assertSubset(service.map("spec.selector"), podLabels, "the Service's selector");
        assertFalse(service.map("spec.selector").isEmpty());
        Set<Object> containerPortNames = new TreeSet<>();
        for (Object container : (List<?>) workload.at("spec.template.spec.containers")) {
            Manifest.listOfMaps(Manifest.at(container, "ports"), "ports").forEach(p -> containerPortNames.add(p.get("name")));
        }
        for (Map<String, Object> port : service.list("spec.ports")) {
            assertTrue(containerPortNames.contains(port.get("targetPort")), "Service port " + port + " targets a named container port");
        }

        Manifest budget = single(KUBERNETES.resolve("common/poddisruptionbudget.yaml"));
        assertSubset(budget.map("spec.selector.matchLabels"), podLabels, "the PodDisruptionBudget's selector");
        assertEquals(1, budget.at("spec.maxUnavailable"));
    }

    @Test
    void theServiceMonitorScrapesTheServicesNamedPortKeepingPushedLabels() throws IOException {
        Manifest monitor = single(KUBERNETES.resolve("common/servicemonitor.yaml"));
        Manifest service = single(KUBERNETES.resolve("common/service.yaml"));
        Map<String, Object> selector = monitor.map("spec.selector.matchLabels");
        assertFalse(selector.isEmpty());
        assertSubset(selector, service.map("metadata.labels"), "the ServiceMonitor's selector on the Service's labels");
        Set<Object> servicePorts = new TreeSet<>();
        service.list("spec.ports").forEach(port -> servicePorts.add(port.get("name")));
        List<Map<String, Object>> endpoints = monitor.list("spec.endpoints");
        assertFalse(endpoints.isEmpty());
        for (Map<String, Object> endpoint : endpoints) {
            assertTrue(servicePorts.contains(endpoint.get("port")), "endpoint port " + endpoint.get("port") + " names a Service port " + servicePorts);
            assertEquals(true, endpoint.get("honorLabels"), "pushed job and instance labels win over the target's");
            assertEquals("/metrics", endpoint.get("path"));
        }

        // the headless Service of the persistent variant selects the same pods: scraping it too would count every replica twice
        Manifest headless = single(PERSISTENT.resolve("headless-service.yaml"));
        assertFalse(isSubset(selector, headless.map("metadata.labels")), "the ServiceMonitor must not select the headless Service");
    }

    // ---- flags and sizing ----------------------------------------------------------------------

    @Test
    void theFlagsAreOnesTheGatewayAcceptsAndTheMemoryFitsTheirMaxSeries() throws Exception {
        List<String> args = patchedArgs(BASE);
        GatewayConfig config = ConfigLoader.load(args.toArray(String[]::new), Map.of());
        Map<String, Object> container = container(single(BASE.resolve("deployment.yaml")));

        long limit = ReplicaSizing.bytes((String) Manifest.at(container, "resources.limits.memory"));
        long heapPercent = maxRamPercentage(container);
        long heap = limit * heapPercent / 100;
        assertTrue(limit >= ReplicaSizing.containerBytes(config.maxSeries()),
                () -> "memory limit " + limit + " B < " + ReplicaSizing.containerBytes(config.maxSeries()) + " B for --max-series " + config.maxSeries());
        assertTrue(heap >= ReplicaSizing.heapBytes(config.maxSeries()),
                () -> heapPercent + " % of the limit is " + heap + " B of heap, < " + ReplicaSizing.heapBytes(config.maxSeries()) + " B");
        assertTrue(limit - heap >= ReplicaSizing.NON_HEAP_BYTES, "room off the heap");
    }

    @Test
    void thePersistentVariantRunsTheSameFlagsPlusPersistenceOnItsVolume() throws IOException {
        List<String> base = patchedArgs(BASE);
        List<String> persistent = patchedArgs(PERSISTENT);
        List<String> expected = new ArrayList<>(base);
        expected.addAll(List.of("--persistence-file", "/data/gateway.state", "--persistence-interval", "30s"));
        assertEquals(expected, persistent);
        assertEquals(Map.of("requests", Map.of("cpu", "1", "memory", "1Gi"), "limits", Map.of("cpu", "2", "memory", "1Gi")),
                container(single(PERSISTENT.resolve("statefulset.yaml"))).get("resources"));
    }

    // ---- kustomize and schemas -----------------------------------------------------------------

    @Test
    void kustomizeBuildsBothVariantsWithTheImageAndFlagsOfTheirKustomization() throws Exception {
        for (Path variant : List.of(BASE, PERSISTENT)) {
            String rendered = kustomize(variant);
            Path output = tmp.resolve(variant.getFileName() + "-rendered.yaml");
            Files.writeString(output, rendered);
            Map<String, Manifest> byKind = new HashMap<>();
            for (Manifest manifest : Manifest.readAll(output)) {
                byKind.put(manifest.kind() + "/" + manifest.name(), manifest);
            }
            String workloadKind = variant.equals(BASE) ? "Deployment" : "StatefulSet";
            assertEquals(variant.equals(BASE)
                            ? Set.of("Deployment/aggregation-gateway", "Service/aggregation-gateway",
                            "ServiceMonitor/aggregation-gateway", "PodDisruptionBudget/aggregation-gateway")
                            : Set.of("StatefulSet/aggregation-gateway", "Service/aggregation-gateway", "Service/aggregation-gateway-pods",
                            "ServiceMonitor/aggregation-gateway", "PodDisruptionBudget/aggregation-gateway"),
                    byKind.keySet(), variant + " renders");

            Map<String, Object> container = container(byKind.get(workloadKind + "/aggregation-gateway"));
            Map<String, Object> image = Manifest.listOfMaps(kustomization(variant).at("images"), "images").getFirst();
            assertEquals(image.get("newName") + ":" + image.get("newTag"), container.get("image"), variant + " image");
            assertEquals(patchedArgs(variant), container.get("args"), variant + " flags");
            assertSchemasHold(output);
        }
    }

    @Test
    void everyManifestHoldsToTheKubernetesAndPrometheusOperatorSchemas() throws Exception {
        List<Path> resources = new ArrayList<>();
        for (Path file : yamlFiles(KUBERNETES, Integer.MAX_VALUE)) {
            if (!file.getFileName().toString().equals(KUSTOMIZATION)) {
                resources.add(file);
            }
        }
        String report = assertSchemasHold(resources.toArray(Path[]::new));
        assertEquals(resources.size(), report.lines().filter(line -> line.startsWith("valid ")).count(), report);
    }

    @Test
    void theSchemaCheckCatchesAWrongFieldType() throws Exception {
        String deployment = Files.readString(BASE.resolve("deployment.yaml")).replace("containerPort: 8080", "containerPort: http");
        Path broken = tmp.resolve("broken-deployment.yaml");
        Files.writeString(broken, deployment);
        ProcessResult result = validateSchemas(broken);
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("containerPort must be integer"), result.output());
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String assertSchemasHold(Path... files) throws Exception {
        ProcessResult result = validateSchemas(files);
        assertEquals(0, result.exitCode(), () -> "schema check failed:\n" + result.output());
        return result.output();
    }

    private record ProcessResult(int exitCode, String output) {
    }

    private static ProcessResult validateSchemas(Path... files) throws Exception {
        String node = RequiredExecutable.require("/usr/bin/node", "nodejs").toString();
        if (!Files.isDirectory(SCHEMA_CHECK.resolve("node_modules/kubernetes-models"))) {
            // the versions package-lock.json pins, installed once (node_modules/ is ignored by git)
            String npm = RequiredExecutable.require("/usr/bin/npm", "npm").toString();
            ProcessResult installed = run(List.of(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"), SCHEMA_CHECK);
            if (installed.exitCode() != 0) {
                RequiredExecutable.unavailable("npm ci in " + SCHEMA_CHECK + " failed:\n" + installed.output());
            }
        }
        List<String> command = new ArrayList<>(List.of(node, SCHEMA_CHECK.resolve("validate.mjs").toString()));
        Stream.of(files).map(Path::toString).forEach(command::add);
        return run(command, SCHEMA_CHECK);
    }

    private static String kustomize(Path variant) throws Exception {
        Path kubectl = Path.of("/usr/bin/kubectl");
        if (!Files.isExecutable(kubectl)) {
            // Debian's kubernetes-client is 1.20, whose kustomize (v2) reads neither `patches` nor directories as resources
            RequiredExecutable.unavailable(kubectl + " is not installed (kubectl 1.21 or newer, from the Kubernetes project's packages)");
        }
        ProcessResult result = run(List.of(kubectl.toString(), "kustomize", variant.toString()), variant);
        assertEquals(0, result.exitCode(), () -> "kubectl kustomize " + variant + ":\n" + result.output());
        return result.output();
    }

    private static ProcessResult run(List<String> command, Path dir) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(command + " did not finish within 60 s");
        }
        return new ProcessResult(process.exitValue(), output);
    }

    private static Manifest kustomization(Path dir) throws IOException {
        return single(dir.resolve(KUSTOMIZATION));
    }

    /** The args the kustomization's patch gives the gateway container. */
    private static List<String> patchedArgs(Path variant) throws IOException {
        for (Map<String, Object> patch : Manifest.listOfMaps(kustomization(variant).at("patches"), variant + " patches")) {
            Object operations = Manifest.parse((String) patch.get("patch"), variant + " patch");
            for (Map<String, Object> operation : Manifest.listOfMaps(operations, variant + " patch operations")) {
                if ("/spec/template/spec/containers/0/args".equals(operation.get("path"))) {
                    assertEquals("replace", operation.get("op"));
                    return stringList(operation.get("value"), variant + " args");
                }
            }
        }
        return fail(variant + " kustomization has no patch of the container's args");
    }

    private static final Pattern MAX_RAM_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)");

    private static long maxRamPercentage(Map<String, Object> container) {
        for (Map<String, Object> env : Manifest.listOfMaps(container.get("env"), "env")) {
            if ("JAVA_TOOL_OPTIONS".equals(env.get("name"))) {
                Matcher matcher = MAX_RAM_PERCENTAGE.matcher((String) env.get("value"));
                if (matcher.find()) {
                    return Long.parseLong(matcher.group(1));
                }
            }
        }
        return fail("no -XX:MaxRAMPercentage in JAVA_TOOL_OPTIONS: the JVM would take a quarter of the limit");
    }

    private static Map<String, Object> container(Manifest workload) {
        List<Map<String, Object>> containers = workload.list("spec.template.spec.containers");
        assertEquals(1, containers.size(), workload + " containers");
        return containers.getFirst();
    }

    private static Manifest single(Path file) throws IOException {
        List<Manifest> manifests = Manifest.readAll(file);
        assertEquals(1, manifests.size(), file + " documents");
        return manifests.getFirst();
    }

    private static List<Path> yamlFiles(Path dir, int depth) throws IOException {
        try (Stream<Path> files = Files.walk(dir, depth)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static List<String> stringList(Object value, String what) {
        if (!(value instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            return fail(what + " is not a list of strings: " + value);
        }
        return list.stream().map(String.class::cast).toList();
    }

    private static boolean isSubset(Map<String, Object> labels, Map<String, Object> of) {
        return of.entrySet().containsAll(labels.entrySet());
    }

    private static void assertSubset(Map<String, Object> labels, Map<String, Object> of, String what) {
        assertTrue(isSubset(labels, of), () -> what + " " + labels + " not among " + of);
    }

    /** A mutable deep copy of parsed YAML. */
    @SuppressWarnings("unchecked")
    private static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, deepCopy(v)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(deepCopy(v)));
            return (T) copy;
        }
        return value;
    }
}
