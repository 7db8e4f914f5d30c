package io.hourglass.api.rest;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A request body past quarkus.http.limits.max-body-size (16 MB) is refused, with a numbered JSON error when its length is known. */
@QuarkusTest
class BodyLimitTest {
    @TestHTTPResource("/v1/databases/testdb/sql")
    URI sql;

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpRequest.Builder post() {
        String auth = Base64.getEncoder().encodeToString(("admin:" + SqlHttpTest.ADMIN_PW).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(sql).header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                .expectContinue(true); // the client waits for the server's word before sending the body, as curl does past 1 MB
    }

    /** A JSON body of about {@code mb} MB: a SELECT of one long string literal. */
    private static String body(int mb) {
        return new JsonObject().put("sql", "SELECT LENGTH('" + "x".repeat(mb << 20) + "') FROM dual").encode();
    }

    private static void assertRefused(HttpResponse<String> r) {
        assertEquals(413, r.statusCode(), r.body());
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertEquals(90058, error.getInteger("code"), r.body());
        assertTrue(error.getString("message").startsWith("TT90058: "), r.body());
        assertTrue(error.getString("message").contains("over the service's limit of 16,777,216 bytes"), r.body());
    }

    @Test
    void aBodyOverTheLimitGetsANumberedError() throws Exception {
        assertRefused(CLIENT.send(post().POST(HttpRequest.BodyPublishers.ofString(body(17))).build(), HttpResponse.BodyHandlers.ofString()));
        // under the limit the same request runs
        HttpResponse<String> ok = CLIENT.send(post().POST(HttpRequest.BodyPublishers.ofString(
                new JsonObject().put("sql", "SELECT LENGTH('" + "x".repeat(1000) + "') FROM dual").encode())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
    }

    /** Without a Content-Length the limit is found while reading, by Quarkus, which answers a bare 413: the limit still holds. */
    @Test
    void aChunkedBodyOverTheLimitIsRefusedToo() throws Exception {
        byte[] whole = body(17).getBytes(StandardCharsets.UTF_8);
        // no Content-Length: the body comes in chunks, and the limit is found while reading it
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.fromPublisher(subscriber -> {
            Iterator<java.nio.ByteBuffer> parts = List.of(java.nio.ByteBuffer.wrap(whole, 0, whole.length / 2),
                    java.nio.ByteBuffer.wrap(whole, whole.length / 2, whole.length - whole.length / 2)).iterator();
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    for (long i = 0; i < n && parts.hasNext(); i++) subscriber.onNext(parts.next());
                    if (!parts.hasNext()) subscriber.onComplete();
                }

                @Override
                public void cancel() {}
            });
        });
        HttpResponse<String> r = CLIENT.send(post().POST(chunked).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
    }
}
