/* signon_fixture.c — a server with auth = windows in the test realm, and signing on to it. */
#include "signon_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kdc_dir(void)
{
    const char *d = getenv("PARLEY_KDC_DIR");
    return d ? d : "no-kdc-dir";
}

void signon_config(server_config *cfg, const char *name, int auto_create)
{
    test_server_config(cfg, name);
    cfg->auth = AUTH_WINDOWS;
    snprintf(cfg->signon_realms, sizeof cfg->signon_realms, "PARLEY.TEST");
    snprintf(cfg->signon_keytab, sizeof cfg->signon_keytab, "FILE:%s/server.keytab", kdc_dir());
    cfg->signon_auto_create = auto_create;
}

pc_conn *sign_on(const test_server *ts, const char *who, int *code, char *err, size_t err_size)
{
    return sign_on_shown_as(ts, who, "", code, err, err_size);
}

pc_conn *sign_on_shown_as(const test_server *ts, const char *who, const char *display, int *code,
                          char *err, size_t err_size)
{
    char ccache[600];
    pc_options o;

    snprintf(ccache, sizeof ccache, "FILE:%s/%s.cc", kdc_dir(), who);
    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = ts->port;
    o.secret = TEST_SECRET;
    o.secret_len = strlen(TEST_SECRET);
    o.nick = "whoever";
    o.connect_timeout_ms = WAIT;
    o.signon_host = "chat.parley.test"; /* the SPN's name: the server is reached by address */
    o.signon_ccache = ccache;
    o.signon_display = display;
    *code = 0;
    err[0] = '\0';
    return pc_connect(&o, code, err, err_size);
}
