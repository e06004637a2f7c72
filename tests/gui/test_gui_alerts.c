/* test_gui_alerts.c — alerts in parley.exe: an alert appears in a window of its own, on top,
 * without taking the keyboard focus from the message box; Acknowledge reaches the sender, whose
 * roll call (a parley.exe too) shows it at once. Screenshots of both for docs/screenshots. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gui_steps.h"
#include "resource.h"

#define OPER_PASSWORD "alert test oper"
#define OPER_PASSWORD_W L"alert test oper"

static void with_operators(server_config *cfg)
{
    snprintf(cfg->oper_password, sizeof cfg->oper_password, "%s", OPER_PASSWORD);
}

/* The pictures for docs/screenshots, taken under Wine (as test_gui_shots does). */
static void shot(HWND hwnd, const wchar_t *name)
{
    if (gui_under_wine())
        shot_named(hwnd, name);
}

/* kim is typing when an alert from op (a library client, an operator) arrives: the alert
 * window shows, on top, with sender and text, and the keyboard focus stays in kim's message
 * box, where the typing goes on. */
TEST(gui_alert_window_keeps_focus)
{
    solo s;
    pc_conn *op = NULL;
    proto_msg m;
    HWND main, input, alert = NULL;
    wchar_t *texts;

    main = solo_start_with(&s, "gui-alert-focus", L"kim", with_operators);
    NEED(main != NULL);
    input = GetDlgItem(main, IDC_INPUT);
    NEED(wait_focus(&s.p, input, WAIT_UI));
    gui_type(main, IDC_INPUT, L"half a sent");
    op = lobby_voice(&s.ts, "op", NULL);
    NEED(op != NULL);
    memset(&m, 0, sizeof m);
    m.type = PT_OPER;
    m.text = proto_s(OPER_PASSWORD);
    NEED(pc_send(op, &m) == 0);
    NEED(test_expect(op, PT_NOTICE, &m, WAIT_NET) == 1);
    memset(&m, 0, sizeof m);
    m.type = PT_ALERT;
    m.target = proto_s("user:kim");
    m.text = proto_s("Fire drill at 11:00.\nLeave by the east stairs.");
    NEED(pc_send(op, &m) == 0);
    NEED(test_expect(op, PT_ALERT_OK, &m, WAIT_NET) == 1);

    alert = gui_wait_window(&s.p, L"#32770", L"Alert from op", WAIT_NET);
    NEED(alert != NULL);
    CHECK(GetWindowLongW(alert, GWL_EXSTYLE) & WS_EX_TOPMOST);
    texts = gui_child_texts(alert);
    CHECK(texts && wcsstr(texts, L"Leave by the east stairs.") && wcsstr(texts, L"op, sent"));
    free(texts);
    CHECK(GetDlgItem(alert, IDC_ALERT_ACK) != NULL);
    /* The focus never left the message box, and the typing goes on there. */
    CHECK(gui_focus(&s.p) == input);
    CHECK(GetForegroundWindow() != alert);
    gui_type(main, IDC_INPUT, L"ence");
    CHECK(input_is(main, L"half a sentence"));
    if (!gui_wait_text(main, IDC_TRANSCRIPT, L"Alert 1 from op", WAIT_NET)) {
        test_failf_at(__FILE__, __LINE__, "the alert is not written in the conversation");
        report_text("kim's transcript", main, IDC_TRANSCRIPT);
    }
    shot(alert, L"alert");
done:
    if (op)
        pc_close(op);
    solo_end(&s);
}

/* op (parley.exe, an operator) alerts kim and lena; the roll call opens for op at once, kim
 * acknowledges with the button, and op's roll call shows it; lena, who has not, stays
 * "shown". */
TEST(gui_acknowledge_updates_the_roll_call)
{
    solo s;
    gui_proc op;
    pc_conn *lena = NULL;
    proto_msg m;
    wchar_t key_file[MAX_PATH];
    HWND kim_main, op_main = NULL, alert, roll;

    memset(&op, 0, sizeof op);
    kim_main = solo_start_with(&s, "gui-alert-roll", L"kim", with_operators);
    NEED(kim_main != NULL);
    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    write_key_file(s.key_name, TEST_SECRET, key_file, MAX_PATH);
    op_main = connect_client(&op, &s.ts, L"op", key_file, NULL);
    NEED(op_main != NULL);
    say_enter(op_main, L"/oper " OPER_PASSWORD_W);
    CHECK(gui_wait_text(op_main, IDC_TRANSCRIPT, L"operator", WAIT_NET));
    say_enter(op_main, L"/alert user:kim,user:lena The ERP is down; we are on it.");

    roll = gui_wait_window(&op, L"#32770", L"Roll call: alert 1", WAIT_NET);
    if (!roll)
        report_text("op's transcript", op_main, IDC_TRANSCRIPT);
    NEED(roll != NULL);
    CHECK(gui_wait_listview(roll, IDC_ROLL_LIST, L"kim", 1, WAIT_NET));
    NEED(test_expect(lena, PT_ALERT_MSG, &m, WAIT_NET) == 1);
    alert = gui_wait_window(&s.p, L"#32770", L"Alert from op", WAIT_NET);
    NEED(alert != NULL);
    gui_click(alert, IDC_ALERT_ACK);
    CHECK(gui_wait_gone(alert, WAIT_NET)); /* closed once the server has recorded it */
    CHECK(gui_wait_text(kim_main, IDC_TRANSCRIPT, L"You acknowledged alert 1", WAIT_NET));
    /* The summary counts the list's State column. */
    CHECK(gui_wait_text(roll, IDC_ROLL_SUMMARY, L"1 acknowledged, 1 shown, 0 not delivered",
                        WAIT_NET));
    shot(roll, L"roll-call");
done:
    gui_stop(&op, 15000);
    if (lena)
        pc_close(lena);
    solo_end(&s);
}

/* kim (parley.exe, an operator) alerts lena with "/alert --expires 2h ...": the alert carries
 * its expiry (2 hours, parsed as parley-cli's --expires is); a duration that is not one is
 * refused in kim's conversation, and nothing is sent. */
TEST(gui_alert_command_takes_an_expiry)
{
    solo s;
    pc_conn *lena = NULL;
    proto_msg m;
    HWND main;

    main = solo_start_with(&s, "gui-alert-expires", L"kim", with_operators);
    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    say_enter(main, L"/oper " OPER_PASSWORD_W);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"operator", WAIT_NET));
    say_enter(main, L"/alert --expires soon user:lena never sent");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"--expires takes a duration", WAIT_NET));
    say_enter(main, L"/alert --expires 2h user:lena Backups start at noon.");
    NEED(test_expect(lena, PT_ALERT_MSG, &m, WAIT_NET) == 1);
    CHECK(str_is(m.text, "Backups start at noon.")); /* the first was never sent */
    CHECK_EQ_INT(m.duration, 7200);
    if (!gui_wait_text(main, IDC_TRANSCRIPT, L"Alert 1 sent", WAIT_NET))
        report_text("kim's transcript", main, IDC_TRANSCRIPT);
done:
    if (lena)
        pc_close(lena);
    solo_end(&s);
}
