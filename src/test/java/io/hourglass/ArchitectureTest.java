package io.hourglass;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The engine is plain Java: no framework import, and no dependency on its adapters. */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.hourglass");

    @Test
    void engineImportsNoFramework() {
        noClasses().that().resideInAPackage("io.hourglass.engine..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.quarkus..", "jakarta..", "javax.enterprise..", "javax.inject..", "io.smallrye..",
                        "io.vertx..", "io.grpc..", "com.google.protobuf..", "org.apache.kafka..", "io.micrometer..",
                        "com.fasterxml..", "io.netty..", "org.jboss..", "org.eclipse.microprofile..", "org.postgresql..", "java.sql..")
                .because("the engine must embed in any JVM program and test in plain JUnit")
                .check(CLASSES);
    }

    @Test
    void engineDoesNotDependOnAdapters() {
        noClasses().that().resideInAPackage("io.hourglass.engine..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.hourglass.api..", "io.hourglass.service..", "io.hourglass.archive..", "io.hourglass.cache..",
                        "io.hourglass.cli..")
                .because("adapters depend on the engine, never the reverse")
                .check(CLASSES);
    }
}
