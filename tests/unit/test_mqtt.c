/* test_mqtt.c: the MQTT adapter's pure parts (src/net/mqtt.c): --mqtt's
 * address and the names made topic levels, as tables, bad input included.
 * The connection itself is tests/e2e/mqtt.sh's, against a real broker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../src/net/mqtt.h"

typedef struct {
    const char *in;
    const char *host;         /* NULL: refused */
    int port;
    const char *why;          /* the refusal's message */
} addr_case_t;

static const addr_case_t addrs[] = {
    { "127.0.0.1", "127.0.0.1", 1883, NULL },
    { "127.0.0.1:18830", "127.0.0.1", 18830, NULL },
    { "broker.example.com:8883", "broker.example.com", 8883, NULL },
    { "localhost:1", "localhost", 1, NULL },
    { "localhost:65535", "localhost", 65535, NULL },
    { "[::1]", "::1", 1883, NULL },
    { "[::1]:1884", "::1", 1884, NULL },
    { "::1", "::1", 1883, NULL },                          /* a bare IPv6 address: no port */
    { "fe80::1:2", "fe80::1:2", 1883, NULL },
    { "", NULL, 0, "give HOST[:PORT], e.g. 127.0.0.1:1883" },
    { ":1883", NULL, 0, "give HOST[:PORT], e.g. 127.0.0.1:1883" },
    { "localhost:", NULL, 0, "the port must be a number from 1 to 65535 (MQTT's is 1883)" },
    { "localhost:0", NULL, 0, "the port must be a number from 1 to 65535 (MQTT's is 1883)" },
    { "localhost:65536", NULL, 0, "the port must be a number from 1 to 65535 (MQTT's is 1883)" },
    { "localhost:-1", NULL, 0, "the port must be a number from 1 to 65535 (MQTT's is 1883)" },
    { "localhost:+5", NULL, 0, "the port must be a number from 1 to 65535 (MQTT's is 1883)" },
    { "localhost:mqtt", NULL, 0, "the port must be a number from 1 to 65535 (MQTT's is 1883)" },
    { "local host", NULL, 0, "give HOST[:PORT], e.g. 127.0.0.1:1883" },
    { "mqtt://localhost", NULL, 0, "give HOST[:PORT], not a URL: e.g. 127.0.0.1:1883" },
    { "[::1", NULL, 0, "give HOST[:PORT], an IPv6 address as [::1]:1883" },
    { "[::1]x", NULL, 0, "give HOST[:PORT], an IPv6 address as [::1]:1883" },
    { "[]:1883", NULL, 0, "give HOST[:PORT], e.g. 127.0.0.1:1883" },
};

static void test_addr(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        const addr_case_t *c = &addrs[i];
        char host[256] = "", err[256] = "";
        int port = 0;
        int rc = mqtt_parse_addr(c->in, host, sizeof host, &port, err, sizeof err);
        if (c->host) {
            if (rc != 0 || strcmp(host, c->host) || port != c->port)
                fail_msg("\"%s\": rc %d, \"%s\" port %d (%s)", c->in, rc, host, port, err);
        } else if (rc != -1 || strcmp(err, c->why)) {
            fail_msg("\"%s\": rc %d, \"%s\"; expected the refusal \"%s\"", c->in, rc, err, c->why);
        }
    }
    char small[4], err[128];
    int port;
    assert_int_equal(mqtt_parse_addr("abcd", small, sizeof small, &port, err, sizeof err), -1);
    assert_string_equal(err, "the host name is too long");
}

static const struct { const char *in, *out; } slugs[] = {
    { "Lane 1", "lane-1" },
    { "Main St #12", "main-st-12" },
    { "  --Drive/Thru+Lane#2--  ", "drive-thru-lane-2" },
    { "kiosk-7", "kiosk-7" },
    { "Café Nord", "caf-nord" },                  /* ASCII letters and digits only */
    { "!!!", "" },
    { "", "" },
    { "a234567890123456789012345678901234567890123456789012345678901234567890",
      "a234567890123456789012345678901234567890123456789012345678901234" },   /* at most 64 */
    { "a23456789012345678901234567890123456789012345678901234567890123 b", /* no dash left hanging */
      "a23456789012345678901234567890123456789012345678901234567890123" },
};

static void test_slug(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof slugs / sizeof slugs[0]; i++) {
        char out[65];
        size_t n = mqtt_slug(slugs[i].in, out, sizeof out);
        if (strcmp(out, slugs[i].out) || n != strlen(out))
            fail_msg("\"%s\": \"%s\" (%zu), expected \"%s\"", slugs[i].in, out, n, slugs[i].out);
    }
    char tiny[5];
    assert_int_equal(mqtt_slug("Lane 12", tiny, sizeof tiny), 4);
    assert_string_equal(tiny, "lane");
}

static void test_check(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(mqtt_check(NULL, NULL, err, sizeof err), 0);
    assert_int_equal(mqtt_check("localhost", "Main St #12", err, sizeof err), 0);
    assert_int_equal(mqtt_check(NULL, "s1", err, sizeof err), -1);
    assert_string_equal(err, "--store s1: it names the store in --mqtt's topics; give --mqtt HOST[:PORT] too");
    assert_int_equal(mqtt_check("localhost", "#!", err, sizeof err), -1);
    assert_string_equal(err, "--store \"#!\": give a name with a letter or a digit");
    assert_int_equal(mqtt_check("localhost:0", NULL, err, sizeof err), -1);
    assert_string_equal(err, "--mqtt localhost:0: the port must be a number from 1 to 65535 (MQTT's is 1883)");
}

/* Without a broker: the publisher opens, queues, says what it could not
 * deliver, and closes within its drain time; NULL is a no-op. */
static void test_no_broker(void **state)
{
    (void)state;
    char err[256];
    mqtt_publish(NULL, "Lane 1", "{}");
    assert_int_equal(mqtt_close(NULL, 1), 0);
    mqtt_t *m = mqtt_open("127.0.0.1:1", "test", "test_mqtt", err, sizeof err);
    assert_non_null(m);
    mqtt_publish(m, "Lane 1", "{\"event\": \"a\"}");
    mqtt_publish(m, "Lane 2", "{\"event\": \"b\"}");
    assert_int_equal(mqtt_close(m, 0.2), 2);
    assert_null(mqtt_open("127.0.0.1:0", NULL, "test_mqtt", err, sizeof err));
    assert_string_equal(err, "--mqtt 127.0.0.1:0: the port must be a number from 1 to 65535 (MQTT's is 1883)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr),
        cmocka_unit_test(test_slug),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_no_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
