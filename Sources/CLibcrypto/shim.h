// SHA-256 from the system's OpenSSL libcrypto: audited, fast, already on every Debian server.
#include <openssl/sha.h>
