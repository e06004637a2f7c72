/* resource.h — hand-kept names of parley.exe's resources: dialogs, controls, menus, commands,
 * strings and icons. Shared by the .rc files and the C code; plain #defines so windres reads it. */
#ifndef PARLEY_RESOURCE_H
#define PARLEY_RESOURCE_H

/* Icons, menus, accelerators */
#define IDI_PARLEY 1
#define IDR_MAINMENU 100
#define IDR_ACCEL 101
#define IDR_TRAYMENU 102
#define IDR_CONTEXTMENUS 103

/* Dialogs */
#define IDD_MAIN 200
#define IDD_CONNECT 201
#define IDD_JOIN 202
#define IDD_AWAY 203
#define IDD_ABOUT 204
#define IDD_PRIVATE 205
#define IDD_HELP 206
#define IDD_TOPIC 207

/* Main window controls. The transcript of the visible conversation carries IDC_TRANSCRIPT;
 * the hidden ones carry IDC_TRANSCRIPT_HIDDEN, so automation finds the one a person sees. */
#define IDC_TABS 1000
#define IDC_TRANSCRIPT 1001
#define IDC_TRANSCRIPT_HIDDEN 1002
#define IDC_USERS_LABEL 1003
#define IDC_USERS 1004
#define IDC_INPUT_LABEL 1005
#define IDC_INPUT 1006
#define IDC_SEND 1007
#define IDC_STATUS 1008
#define IDC_INPUT_COUNT 1009
#define IDC_TOPIC 1010
#define IDC_WELCOME 1011
#define IDC_WELCOME_CONNECT 1012
#define IDC_RECENT 1013
#define IDC_RECENT_LABEL 1014

/* Connect dialog */
#define IDC_SERVER_LABEL 1100
#define IDC_SERVER 1101
#define IDC_PORT_LABEL 1102
#define IDC_PORT 1103
#define IDC_NICK_LABEL 1104
#define IDC_NICK 1105
#define IDC_KEY_LABEL 1106
#define IDC_KEY 1107
#define IDC_SHOW_KEY 1108
#define IDC_CIPHER_LABEL 1109
#define IDC_CIPHER 1110
#define IDC_XOR_ICON 1111
#define IDC_XOR_WARNING 1112
#define IDC_REMEMBER 1113
#define IDC_REMEMBER_NOTE 1114
#define IDC_CONNECT_GROUP 1115
#define IDC_SECURITY_GROUP 1116

/* Join, private message and away dialogs */
#define IDC_ROOM_LABEL 1200
#define IDC_ROOM 1201
#define IDC_PEER_LABEL 1202
#define IDC_PEER 1203
#define IDC_AWAY_LABEL 1204
#define IDC_AWAY_TEXT 1205
#define IDC_TOPIC_EDIT 1206
#define IDC_ROOM_FILTER_LABEL 1207
#define IDC_ROOM_FILTER 1208
#define IDC_ROOM_LIST_LABEL 1209
#define IDC_ROOM_LIST 1210

/* About dialog */
#define IDC_ABOUT_ICON 1300
#define IDC_ABOUT_NAME 1301
#define IDC_ABOUT_VERSION 1302
#define IDC_ABOUT_TEXT 1303
#define IDC_ABOUT_USAGE 1304
#define IDC_HELP_TEXT 1305

/* Menu and accelerator commands */
#define IDM_CONNECT 40001
#define IDM_DISCONNECT 40002
#define IDM_EXIT 40003
#define IDM_JOIN 40010
#define IDM_LEAVE 40011
#define IDM_PRIVATE 40012
#define IDM_NEXT_TAB 40013
#define IDM_PREV_TAB 40014
#define IDM_AWAY 40020
#define IDM_BACK 40021
#define IDM_ABOUT 40030
#define IDM_FOCUS_INPUT 40031
#define IDM_HELP 40032
#define IDM_FIND 40033
#define IDM_CTX_PRIVATE 40050
#define IDM_CTX_COPY_NAME 40051
#define IDM_CTX_CLOSE_TAB 40052
#define IDM_CTX_COPY 40053
#define IDM_CTX_SELECT_ALL 40054
#define IDM_TRAY_OPEN 40040

/* Strings: application and main window */
#define IDS_APP_NAME 1
#define IDS_TITLE_DISCONNECTED 2
#define IDS_TITLE_CONNECTED 3
#define IDS_USAGE 4
#define IDS_ABOUT_TEXT 5
#define IDS_VERSION_FMT 6
#define IDS_USERS_LABEL 7
#define IDS_USERS_LABEL_N 8
#define IDS_TAB_UNREAD 9
#define IDS_BAD_OPTION 10
#define IDS_KEY_FILE_ERROR 11
#define IDS_SEND 12
#define IDS_PRESENCE_AWAY 13
#define IDS_PRESENCE_OFFLINE 14

/* Strings: status bar */
#define IDS_ST_DISCONNECTED 100
#define IDS_ST_CONNECTING 101
#define IDS_ST_CONNECTED 102
#define IDS_ST_RECONNECTING 103
#define IDS_ST_RECONNECT_NOW 104
#define IDS_ST_CIPHER_AES 105
#define IDS_ST_CIPHER_XOR 106
#define IDS_ST_SERVER 107
#define IDS_ST_RTT 108
#define IDS_ST_RTT_NONE 109
#define IDS_ST_AWAY 110

/* Strings: transcript system lines */
#define IDS_SYS_JOIN 200
#define IDS_SYS_PART 201
#define IDS_SYS_PART_REASON 202
#define IDS_SYS_QUIT 203
#define IDS_SYS_QUIT_REASON 204
#define IDS_SYS_RENAME 205
#define IDS_SYS_AWAY 206
#define IDS_SYS_AWAY_TEXT 207
#define IDS_SYS_BACK 208
#define IDS_SYS_KICK 209
#define IDS_SYS_TOPIC 210
#define IDS_SYS_TOPIC_SET 211
#define IDS_SYS_NOTICE 212
#define IDS_SYS_SERVER_NOTICE 213
#define IDS_SYS_ERROR 214
#define IDS_SYS_CONNECTED 215
#define IDS_SYS_MOTD 216
#define IDS_SYS_LOST 217
#define IDS_SYS_RECONNECTED 218
#define IDS_SYS_DISCONNECTED 219
#define IDS_SYS_YOU_JOINED 220
#define IDS_SYS_HISTORY 221
#define IDS_SYS_NOT_CONNECTED 222
#define IDS_SYS_UNKNOWN_COMMAND 223
#define IDS_SYS_COMMANDS 224
#define IDS_SYS_XOR_WARNING 225
#define IDS_SYS_SEND_FAILED 226
#define IDS_SYS_YOU_LEFT 227
#define IDS_SYS_NOT_IN_ROOM 228
#define IDS_SYS_CAUGHT_UP 229
#define IDS_HELP_TEXT 230
#define IDS_TOPIC_NONE 231
#define IDS_TOPIC_PRIVATE 232
#define IDS_RECENT_ITEM 233
#define IDS_TOPIC_ROOM 234
#define IDS_FIND_NONE 235
#define IDS_FIND_TITLE 236
#define IDS_ROOMS_COL_NAME 237
#define IDS_ROOMS_COL_PEOPLE 238
#define IDS_ROOMS_COL_TOPIC 239
#define IDS_SYS_ROOM_ENTRY 240
#define IDS_SYS_ROOMS_HEAD 241
#define IDS_UNREAD_PREFIX 242

/* Strings: errors and prompts */
#define IDS_ERR_TITLE 300
#define IDS_ERR_WRONG_KEY 301
#define IDS_ERR_UNREACHABLE 302
#define IDS_ERR_NICK_TAKEN 303
#define IDS_ERR_BAD_NICK 304
#define IDS_ERR_KICKED 305
#define IDS_ERR_BANNED 306
#define IDS_ERR_FULL 307
#define IDS_ERR_LOST 308
#define IDS_ERR_OTHER 309
#define IDS_ERR_NO_SERVER 310
#define IDS_ERR_BAD_PORT 311
#define IDS_ERR_NO_NICK 312
#define IDS_ERR_NO_KEY 313
#define IDS_ERR_NICK_LONG 314
#define IDS_ERR_REMEMBER 315
#define IDS_ERR_START 316
#define IDS_ERR_NO_ROOM 317
#define IDS_ERR_NO_PEER 318
#define IDS_ERR_VALIDATION_TITLE 319
#define IDS_ERR_RICHEDIT 320
#define IDS_ERR_TIMEOUT 321
#define IDS_ERR_NO_CIPHER 322
#define IDS_ASK_SWITCH_SERVER 323
#define IDS_ERR_TOO_LONG 324
#define IDS_INPUT_LEFT 325
#define IDS_INPUT_OVER 326

/* Strings: connect dialog */
#define IDS_CIPHER_AES 400
#define IDS_CIPHER_XOR 401

/* Strings: notifications */
#define IDS_NOTIFY_ROOM 500
#define IDS_NOTIFY_PRIVATE 501
#define IDS_TRAY_TIP 502
#define IDS_TRAY_TIP_CONNECTED 503

#endif
