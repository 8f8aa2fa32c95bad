package io.aggregationgateway.server;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The server's packages depend on each other only along these arrows, read from the compiled
 * classes (so a fully qualified name counts as much as an import):
 *
 * <pre>
 *   root (Gateway, Main: wiring)  → anything
 *   http, grpc (adapters)         → engine, selfmetrics; the only packages besides root with Helidon or grpc-java
 *   connection (adapter)          → nothing of the server: connections and HTTP/1.x framing, below http and grpc
 *   status (adapter: the page)    → engine, selfmetrics, config (it shows the settings in force)
 *   security (adapter)            → config: TLS, users, roles, rate limits, from its settings
 *   config                        → lifecycle (a reset schedule is a configured value)
 *   selfmetrics                   → model (it counts; what it reports comes in as suppliers)
 *   lifecycle                     → aggregate (it schedules the store's reset and expiry), model
 *   persist                       → aggregate (it saves and restores the store's state), model
 *   ingest, aggregate, expose     → model; none of them knows the others
 *   model                         → nothing of the server
 *   protowire, headers (leaves)   → nothing of the server; any package may use them
 * </pre>
 *
 * The engine (model, ingest, aggregate, expose, lifecycle, persist and the leaves) never sees HTTP or gRPC.
 * A new package fails {@link #everyPackageHasItsPlace} until it is given its arrows here.
 */
class PackageArrowsTest {
    private static final String SERVER = "io.aggregationgateway.server";
    private static final Set<String> LEAVES = Set.of("protowire", "headers");
    private static final Set<String> ENGINE = Set.of("model", "ingest", "aggregate", "expose", "lifecycle", "persist");
    private static final Set<String> ADAPTERS = Set.of("http", "grpc", "status", "connection", "security");

    /** Package → the server packages (besides itself and the leaves) it may depend on. */
    private static final Map<String, Set<String>> ARROWS = Map.ofEntries(
            Map.entry("model", Set.of()),
            Map.entry("ingest", Set.of("model")),
            Map.entry("aggregate", Set.of("model")),
            Map.entry("expose", Set.of("model")),
            Map.entry("lifecycle", Set.of("aggregate", "model")),
            Map.entry("persist", Set.of("aggregate", "model")),
            Map.entry("selfmetrics", Set.of("model")),
            Map.entry("config", Set.of("lifecycle", "model")),
            Map.entry("http", union(ENGINE, Set.of("selfmetrics"))),
            Map.entry("grpc", union(ENGINE, Set.of("selfmetrics"))),
            Map.entry("status", union(ENGINE, Set.of("selfmetrics", "config"))),
            Map.entry("connection", Set.of()),
            Map.entry("security", Set.of("config")));

    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(SERVER);

    static Stream<Arguments> arrows() {
        return Stream.concat(
                ARROWS.entrySet().stream().map(e -> arguments(e.getKey(), e.getValue())),
                LEAVES.stream().map(leaf -> arguments(leaf, Set.of())));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("arrows")
    void dependsOnlyAlongItsArrows(String pkg, Set<String> allowed) {
        List<String> packages = new ArrayList<>();
        packages.add(SERVER + "." + pkg + "..");
        for (String target : allowed) {
            packages.add(SERVER + "." + target + "..");
        }
        if (!LEAVES.contains(pkg)) {
            for (String leaf : LEAVES) {
                packages.add(SERVER + "." + leaf + "..");
            }
        }
        DescribedPredicate<JavaClass> permitted = resideOutsideOfPackage(SERVER + "..")
                .or(resideInAnyPackage(packages.toArray(String[]::new)));
        classes().that().resideInAPackage(SERVER + "." + pkg + "..")
                .should().onlyDependOnClassesThat(permitted)
                .allowEmptyShould(true) // a leaf another branch is still adding
                .check(MAIN_CLASSES);
    }

    @Test
    void onlyTheAdaptersAndTheWiringSeeHelidonOrGrpc() {
        List<String> seeing = new ArrayList<>();
        seeing.add(SERVER);
        ADAPTERS.forEach(adapter -> seeing.add(SERVER + "." + adapter + ".."));
        noClasses().that().resideInAPackage(SERVER + "..")
                .and().resideOutsideOfPackages(seeing.toArray(String[]::new))
                .should().dependOnClassesThat().resideInAnyPackage("io.helidon..", "io.grpc..")
                .check(MAIN_CLASSES);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching(SERVER + ".(*)..").should().beFreeOfCycles().check(MAIN_CLASSES);
    }

    @Test
    void everyPackageHasItsPlace() {
        Set<String> found = new TreeSet<>();
        for (JavaClass javaClass : MAIN_CLASSES) {
            String name = javaClass.getPackageName();
            if (name.startsWith(SERVER + ".")) {
                found.add(name.substring(SERVER.length() + 1).split("\\.")[0]);
            }
        }
        Set<String> placed = union(ARROWS.keySet(), LEAVES);
        found.removeAll(placed);
        assertEquals(Set.of(), found, "packages without arrows in " + PackageArrowsTest.class.getSimpleName());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
