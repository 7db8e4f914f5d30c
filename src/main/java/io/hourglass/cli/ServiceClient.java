package io.hourglass.cli;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hourglass.api.grpc.v1.AdminCredentials;
import io.hourglass.api.grpc.v1.AdminGrpc;

import java.util.concurrent.TimeUnit;

/**
 * The utilities' link to a running service: one gRPC channel (plaintext; put TLS in front in a
 * cluster) to {@code --server host:port}, default {@code HOURGLASS_SERVER} or localhost:8080,
 * where HTTP and gRPC share a port.
 */
final class ServiceClient implements AutoCloseable {
    final String target;
    final ManagedChannel channel;

    ServiceClient(String target) {
        this.target = target;
        // Results can be as large as the service's TempSize lets a query build (gRPC's default is 4 MB).
        this.channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).maxInboundMessageSize(1 << 30).build();
    }

    AdminGrpc.AdminBlockingStub admin() { return AdminGrpc.newBlockingStub(channel); }

    AdminGrpc.AdminStub adminAsync() { return AdminGrpc.newStub(channel); }

    static AdminCredentials credentials(String user, String password) {
        return AdminCredentials.newBuilder().setUser(user).setPassword(password == null ? "" : password).build();
    }

    /** A failure as the user should see it, and the exit code it means. */
    record Failure(String message, int exitCode) {}

    Failure describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        if (s.getCode() == Status.Code.UNAVAILABLE && (s.getDescription() == null || !s.getDescription().startsWith("TT"))) {
            return new Failure("cannot reach the Hourglass service at " + target + " (" + s.getCode()
                    + (s.getDescription() == null ? "" : ": " + s.getDescription()) + "); is it running? (--server host:port)",
                    HourglassCli.UNREACHABLE);
        }
        return new Failure(s.getDescription() != null ? s.getDescription() : s.getCode().toString(), HourglassCli.FAILED);
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
