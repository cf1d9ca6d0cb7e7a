// A C++ consumer: the public headers must give the API C linkage when included from C++.
#include <pottery.h>

#include <cstdio>
#include <cstring>

int main()
{
    const char *version = pottery_version();
    const char *text = pottery_strerror(POTTERY_ENOTFOUND);
    if (version == nullptr || std::strcmp(version, POTTERY_VERSION_STRING) != 0) {
        std::fprintf(stderr, "consumer_cxx: FAILED: pottery_version() mismatch\n");
        return 1;
    }
    if (pottery_version_number() != POTTERY_VERSION_NUMBER || !POTTERY_VERSION_AT_LEAST(0, 0, 1)) {
        std::fprintf(stderr, "consumer_cxx: FAILED: version number mismatch\n");
        return 1;
    }
    if (text == nullptr || text[0] == '\0') {
        std::fprintf(stderr, "consumer_cxx: FAILED: empty pottery_strerror()\n");
        return 1;
    }
    pottery_client_free(nullptr);
    std::printf("consumer_cxx: ok, libpottery %s\n", version);
    return 0;
}
