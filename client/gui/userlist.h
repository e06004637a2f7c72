/* userlist.h — who is in a conversation (the model) and the list view that shows it, with a
 * presence dot per person and away messages as tooltips. */
#ifndef PARLEY_GUI_USERLIST_H
#define PARLEY_GUI_USERLIST_H

#include <windows.h>

#include <stddef.h>
#include <stdint.h>

#define MEMBER_NICK_MAX 40 /* UTF-16 units; nicknames are at most 32 bytes of UTF-8 */
#define MEMBER_AWAY_MAX 140

/* Presence the GUI knows besides the wire's PRESENCE_ONLINE and PRESENCE_AWAY: never sent. */
#define MEMBER_OFFLINE 0x10 /* the server said nobody of that name is online */
#define MEMBER_UNKNOWN 0x11 /* a private talk with someone not seen in any shared room */

typedef struct member {
    wchar_t nick[MEMBER_NICK_MAX];
    wchar_t away[MEMBER_AWAY_MAX];
    uint8_t presence; /* PRESENCE_ONLINE, PRESENCE_AWAY, MEMBER_OFFLINE or MEMBER_UNKNOWN */
} member;

typedef struct member_list {
    member *items;
    size_t n, cap;
} member_list;

void members_free(member_list *m);
void members_clear(member_list *m);
/* Adds or updates a member. Returns 0, or -1 when out of memory. */
int members_put(member_list *m, const wchar_t *nick, uint8_t presence, const wchar_t *away);
/* Returns 1 if nick was there (and is now gone). */
int members_remove(member_list *m, const wchar_t *nick);
member *members_find(member_list *m, const wchar_t *nick);

/* Sets up the list view (one column, presence images for this DPI). Call again on a DPI
 * change. Owns the image list it sets; userlist_destroy frees it. */
void userlist_init(HWND lv, UINT dpi);
void userlist_destroy(HWND lv);
/* Shows m, keeping the selected nickname selected. */
void userlist_show(HWND lv, const member_list *m);
/* Fits the column to the control's width. */
void userlist_fit(HWND lv);
/* The selected nickname into dst (without the presence words the item shows); 0 if none. */
int userlist_selected(HWND lv, wchar_t *dst, int cap);
/* Handles the list's WM_NOTIFY (custom draw for away people, away tooltips). Returns 1 if it
 * handled it, with the result in *result. */
int userlist_notify(HWND lv, const member_list *m, NMHDR *hdr, LRESULT *result);

#endif
