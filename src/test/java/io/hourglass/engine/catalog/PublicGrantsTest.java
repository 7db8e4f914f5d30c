package io.hourglass.engine.catalog;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PUBLIC, the grantee every user's privileges include; and a database that already had a user of that name. */
class PublicGrantsTest {
    private static Catalog catalog() { return new Catalog(new InstanceSecret("admin-test-pw")); }

    @Test
    void aGrantToPublicIsEveryUsersAndGoesToACheckpointAndBack() {
        Catalog c = catalog();
        c.createUser("ALICE", "x");
        assertTrue(c.isPublic("PUBLIC"));
        c.grant("PUBLIC", Privilege.SELECT, "ADMIN.T");
        c.grant("PUBLIC", Privilege.CREATE_TABLE, (String) null);
        User alice = c.user("ALICE");
        assertTrue(c.has(alice, Privilege.SELECT, "ADMIN", "ADMIN.T"));
        assertFalse(c.has(alice, Privilege.INSERT, "ADMIN", "ADMIN.T"));
        assertTrue(c.has(alice, Privilege.CREATE_TABLE));
        // a checkpoint's catalog brings PUBLIC's grants back
        List<CatalogChange> image = c.snapshot();
        assertTrue(image.contains(new CatalogChange.Privileges(true, "PUBLIC", Privilege.SELECT, "ADMIN.T")), image.toString());
        assertTrue(image.contains(new CatalogChange.Privileges(true, "PUBLIC", Privilege.CREATE_TABLE, null)), image.toString());
        c.revoke("PUBLIC", Privilege.SELECT, "ADMIN.T");
        assertFalse(c.has(alice, Privilege.SELECT, "ADMIN", "ADMIN.T"));
    }

    /** A user named PUBLIC made before PUBLIC meant everyone keeps its grants to itself: nobody else gains them. */
    @Test
    void anOldUserNamedPublicKeepsItsGrants() {
        Catalog c = catalog();
        c.createUser("PUBLIC", "x"); // as recovery replays an old CREATE USER public
        c.createUser("ALICE", "x");
        assertFalse(c.isPublic("PUBLIC"));
        c.grant("PUBLIC", Privilege.SELECT, "ADMIN.T");
        assertTrue(c.has(c.user("PUBLIC"), Privilege.SELECT, "ADMIN", "ADMIN.T"));
        assertFalse(c.has(c.user("ALICE"), Privilege.SELECT, "ADMIN", "ADMIN.T"));
    }
}
