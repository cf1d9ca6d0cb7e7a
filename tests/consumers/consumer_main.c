/*
 * A program that uses libpottery the way any consumer would: only the public header, the
 * library, and the documented API. Exits non-zero on any mismatch.
 */
#include <pottery.h>

#include <stdio.h>
#include <string.h>

/* The version macros must work in #if in a C99 program. */
#if !POTTERY_VERSION_AT_LEAST(POTTERY_VERSION_MAJOR, POTTERY_VERSION_MINOR, POTTERY_VERSION_PATCH)
#error "POTTERY_VERSION_AT_LEAST refuses the header's own version"
#endif

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "consumer: FAILED: %s\n", what);
        failures++;
    }
}

int main(void)
{
    const char *version = pottery_version();
    const char *text = pottery_strerror(POTTERY_ENOTFOUND);
    pottery_client *client = NULL;
    pottery_client_options opts = POTTERY_CLIENT_OPTIONS_INIT;
    int rc;

    check(version != NULL && strcmp(version, POTTERY_VERSION_STRING) == 0,
          "pottery_version() equals POTTERY_VERSION_STRING of the installed header");
#ifdef CONSUMER_EXPECT_VERSION
    /* The version the build system found (the package's version file) must be the same. */
    check(strcmp(POTTERY_VERSION_STRING, CONSUMER_EXPECT_VERSION) == 0,
          "POTTERY_VERSION_STRING equals the version of the found package");
#endif
    check(pottery_version_number() == POTTERY_VERSION_NUMBER,
          "pottery_version_number() equals POTTERY_VERSION_NUMBER of the installed header");
    check(text != NULL && text[0] != '\0', "pottery_strerror(POTTERY_ENOTFOUND) is not empty");

    /* Nothing listens on port 1 of the loopback interface: the connection is refused. */
    opts.connect_timeout_ms = 2000;
    rc = pottery_client_open(&client, "redis://127.0.0.1:1/0", &opts);
    if (rc != POTTERY_ECONN)
        fprintf(stderr, "consumer: pottery_client_open returned %d (%s), expected %d\n", rc, pottery_strerror(rc),
                (int)POTTERY_ECONN);
    check(rc == POTTERY_ECONN, "pottery_client_open on a closed port fails with POTTERY_ECONN");
    if (rc == 0) pottery_client_free(client);

    if (failures != 0) return 1;
    printf("consumer: ok, libpottery %s\n", version);
    return 0;
}
