package io.hourglass.api.rest;

import io.hourglass.archive.KafkaRestore;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the HTTP API serialises to JSON that Quarkus cannot find from the resource methods'
 * declared types: bodies built into a {@code Response} (errors, a restore job's view) and the
 * values put into a {@code Map<String, Object>}. In the JVM Jackson reflects on anything; in a
 * native binary only on what is registered, and an unregistered body fails as a bare 500.
 * The {@code *IT} suite run against the native binary asks for each of them.
 */
@RegisterForReflection(targets = {ErrorBody.class, ErrorBody.Detail.class, KafkaRestore.Progress.class, KafkaRestore.Result.class})
final class NativeReflection {
    private NativeReflection() {}
}
