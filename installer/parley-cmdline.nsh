; parley-cmdline.nsh - the installer's command-line switches and the upgrade rules they feed.
; Switches (all optional; NSIS's own /S silent and /D=DIR, last, work as usual; a quoted
; /D="DIR" is taken too):
;   /COMPONENTS=server,client,desktop  install exactly these; an upgrade without it keeps the
;                                      components of the installed copy (default: server, client)
;   /PORT=N /BIND=ADDRESS /DATADIR=DIR /CONFIG=FILE
;                                      recorded on the service's command line (--port, --bind,
;                                      --data-dir, --config) and, but for /CONFIG=, in server.ini
;                                      (parley-server --install does both); an upgrade keeps
;                                      what was recorded
;   /STARTTYPE=auto|delayed|manual|disabled   the service's start type (an upgrade keeps it)
;   /FIREWALL=domain|private|public|any|none  the firewall rule's profile (an upgrade keeps it)
;   /NOSERVICESTART                    do not start the service
;   /ALLOWDOWNGRADE                    install over a newer version
;   /LOG=FILE                          the install log (default %ProgramData%\Parley\install.log)
; and the uninstaller's:
;   /REMOVEDATA                        also delete settings, history and the secret key
;   /LOG=FILE                          its log (default: the install log)
; Exit codes (docs/ADMIN.md): 0 done; 1 cancelled; 2 bad command line, not 64-bit or no log;
; 3 the service could not be set up; 4 the service did not start; 5 downgrade refused;
; 6 another setup is running; 7 not run as an administrator; 8 a file in use, nothing replaced.
; Included by parley.nsi after its sections, whose IDs it uses.

!include "FileFunc.nsh"
!include "WordFunc.nsh"
!include "LogicLib.nsh"
!include "Sections.nsh"

; The value of /NAME= into $R1 and $R2 = 1 when given (0 when absent). An empty value is an
; error that stops the installer.
!macro SwitchValue name
  StrCpy $R2 0
  ClearErrors
  ${GetOptions} $R0 "/${name}=" $R1
  ${IfNot} ${Errors}
    StrCpy $R2 1
    ${If} $R1 == ""
      !insertmacro Fail 2 "/${name}= needs a value."
    ${EndIf}
  ${EndIf}
!macroend

; Reads the service and firewall switches into $InstallOptions (for parley-server --install),
; $StartType, $Firewall, $NoServiceStart and $AllowDowngrade.
Function ReadSwitches
  Push $R0
  Push $R1
  Push $R2
  ${GetParameters} $R0
  StrCpy $InstallOptions ""
  !insertmacro SwitchValue "PORT"
  ${If} $R2 == 1
    StrCpy $InstallOptions '$InstallOptions --port "$R1"'
  ${EndIf}
  !insertmacro SwitchValue "BIND"
  ${If} $R2 == 1
    StrCpy $InstallOptions '$InstallOptions --bind "$R1"'
  ${EndIf}
  !insertmacro SwitchValue "DATADIR"
  ${If} $R2 == 1
    StrCpy $InstallOptions '$InstallOptions --data-dir "$R1"'
  ${EndIf}
  !insertmacro SwitchValue "CONFIG"
  ${If} $R2 == 1
    StrCpy $InstallOptions '$InstallOptions --config "$R1"'
  ${EndIf}
  StrCpy $StartType ""
  !insertmacro SwitchValue "STARTTYPE"
  ${If} $R2 == 1
    ${If} $R1 != "auto"
    ${AndIf} $R1 != "delayed"
    ${AndIf} $R1 != "manual"
    ${AndIf} $R1 != "disabled"
      !insertmacro Fail 2 "/STARTTYPE=$R1: use auto, delayed, manual or disabled."
    ${EndIf}
    StrCpy $StartType $R1
    StrCpy $InstallOptions '$InstallOptions --start-type $R1'
  ${EndIf}
  StrCpy $Firewall ""
  !insertmacro SwitchValue "FIREWALL"
  ${If} $R2 == 1
    ${If} $R1 != "domain"
    ${AndIf} $R1 != "private"
    ${AndIf} $R1 != "public"
    ${AndIf} $R1 != "any"
    ${AndIf} $R1 != "none"
      !insertmacro Fail 2 "/FIREWALL=$R1: use domain, private, public, any or none."
    ${EndIf}
    StrCpy $Firewall $R1
  ${EndIf}
  StrCpy $NoServiceStart 0
  ClearErrors
  ${GetOptions} $R0 "/NOSERVICESTART" $R1
  ${IfNot} ${Errors}
    StrCpy $NoServiceStart 1
  ${EndIf}
  StrCpy $AllowDowngrade 0
  ClearErrors
  ${GetOptions} $R0 "/ALLOWDOWNGRADE" $R1
  ${IfNot} ${Errors}
    StrCpy $AllowDowngrade 1
  ${EndIf}
  ; NSIS takes /D= without quotes only, and drops a quoted one (even from $CMDLINE) for its
  ; default folder: read it from the process's own command line and take the quotes off.
  System::Call 'kernel32::GetCommandLineW() w .R1'
  ClearErrors
  ${WordFind} "$R1" " /D=$\"" "E+1}" $R2
  ${IfNot} ${Errors}
    ${WordFind} "$R2" "$\"" "E+1{" $R1
    ${If} ${Errors}
    ${OrIf} $R1 == ""
      !insertmacro Fail 2 "/D= has an opening quote and no closing one."
    ${EndIf}
    StrCpy $INSTDIR $R1
    !insertmacro LogLine "Install folder (from a quoted /D=): $INSTDIR"
  ${EndIf}
  Pop $R2
  Pop $R1
  Pop $R0
FunctionEnd

; The numeric part of a version ("0.2.0" of "0.2.0-rc1") into $R1; the version is in $R0.
Function NumericVersion
  Push $R2
  Push $R3
  StrCpy $R2 0
  ${Do}
    StrCpy $R3 $R0 1 $R2
    ${If} $R3 == ""
    ${OrIf} $R3 == "-"
    ${OrIf} $R3 == "+"
      ${Break}
    ${EndIf}
    IntOp $R2 $R2 + 1
  ${Loop}
  StrCpy $R1 $R0 $R2
  Pop $R3
  Pop $R2
FunctionEnd

; Stops with exit code 5 when the installed version is newer than this one, unless
; /ALLOWDOWNGRADE.
Function RefuseDowngrade
  Push $R0
  Push $R1
  Push $R2
  ${If} $PreviousVersion != ""
    StrCpy $R0 $PreviousVersion
    Call NumericVersion
    StrCpy $R2 $R1
    ${VersionCompare} $R2 "${VERSION_NUMERIC}" $R0
    ${If} $R0 == 1
      ${If} $AllowDowngrade == 1
        !insertmacro LogLine "Replacing the newer Parley $PreviousVersion with ${VERSION} (/ALLOWDOWNGRADE)."
      ${Else}
        !insertmacro Fail 5 "Parley $PreviousVersion is installed, which is newer than ${VERSION}. Nothing was changed. To go back to ${VERSION}, run this setup with /ALLOWDOWNGRADE."
      ${EndIf}
    ${EndIf}
  ${EndIf}
  Pop $R2
  Pop $R1
  Pop $R0
FunctionEnd

; Selects exactly the components named in the comma-separated list $R1. An unknown name or an
; empty list stops the installer with exit code 2 and says which names it knows.
Function SelectComponents
  Push $R2
  Push $R3
  !insertmacro UnselectSection ${SecServer}
  !ifdef CLIENT_EXE
    !insertmacro UnselectSection ${SecClient}
    !insertmacro UnselectSection ${SecDesktop}
  !endif
  ; A comma after the list lets WordFind see one name as a list of one.
  StrCpy $R1 "$R1,"
  StrCpy $R2 1
  ${Do}
    ClearErrors
    ${WordFind} $R1 "," "E+$R2" $R3
    ${If} ${Errors}
    ${OrIf} $R3 == ""
      ${Break}
    ${EndIf}
    ${If} $R3 == "server"
      !insertmacro SelectSection ${SecServer}
    !ifdef CLIENT_EXE
    ${ElseIf} $R3 == "client"
      !insertmacro SelectSection ${SecClient}
    ${ElseIf} $R3 == "desktop"
      !insertmacro SelectSection ${SecDesktop}
    !endif
    ${Else}
      !insertmacro Fail 2 "Unknown component '$R3' in /COMPONENTS=. Known: ${KNOWN_COMPONENTS}."
    ${EndIf}
    IntOp $R2 $R2 + 1
  ${Loop}
  ${If} $R2 == 1
    !insertmacro Fail 2 "/COMPONENTS= names no component. Known: ${KNOWN_COMPONENTS}."
  ${EndIf}
  Pop $R3
  Pop $R2
FunctionEnd

; /COMPONENTS= if given; else, for an upgrade, the components the installed copy has.
Function ApplyComponents
  Push $R0
  Push $R1
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/COMPONENTS=" $R1
  ${IfNot} ${Errors}
    Call SelectComponents
  ${ElseIf} $PreviousVersion != ""
    ReadRegStr $R1 HKLM "${UNINST_KEY}" "Components"
    ${If} $R1 != ""
      !insertmacro LogLine "Keeping the installed components: $R1."
      Call SelectComponents
    ${EndIf}
  ${EndIf}
  Pop $R1
  Pop $R0
FunctionEnd

; Records the installed components and the firewall profile for the next upgrade.
Function RememberChoices
  Push $R0
  StrCpy $R0 ""
  ${If} ${SectionIsSelected} ${SecServer}
    StrCpy $R0 "server"
  ${EndIf}
  !ifdef CLIENT_EXE
    ${If} ${SectionIsSelected} ${SecClient}
      StrCpy $R0 "$R0,client"
    ${EndIf}
    ${If} ${SectionIsSelected} ${SecDesktop}
      StrCpy $R0 "$R0,desktop"
    ${EndIf}
  !endif
  StrCpy $1 $R0 1
  ${If} $1 == ","
    StrCpy $R0 $R0 "" 1
  ${EndIf}
  WriteRegStr HKLM "${UNINST_KEY}" "Components" $R0
  ${If} $Firewall != ""
    WriteRegStr HKLM "${UNINST_KEY}" "Firewall" $Firewall
  ${EndIf}
  Pop $R0
FunctionEnd

; Only one setup at a time: a second one exits with code 6. Checked before the log is opened,
; since the running setup holds it; the refusal is logged when the log can be opened.
Function SingleInstance
  System::Call 'kernel32::CreateMutexW(p 0, i 0, w "Global\ParleySetup") p .r1 ?e'
  Pop $0
  ${If} $0 == 183
    ClearErrors
    FileOpen $LogHandle $LogPath a
    ${If} ${Errors}
      StrCpy $LogHandle ""
    ${Else}
      FileSeek $LogHandle 0 END
    ${EndIf}
    !insertmacro Fail 6 "Another Parley setup is running. Wait for it to finish, then try again."
  ${EndIf}
FunctionEnd

; The service, Program Files and HKLM need an administrator: exit code 7 otherwise.
Function RequireAdmin
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 != "Admin"
    !insertmacro Fail 7 "Parley setup must be run as an administrator (this account is: $0)."
  ${EndIf}
FunctionEnd

; Asks every running parley.exe to close: the client closes on the registered window message
; "Parley.CloseForUpgrade" sent to all top-level windows (client/gui/app.h).
Function CloseClients
  ${If} ${FileExists} "$INSTDIR\parley.exe"
    System::Call 'user32::RegisterWindowMessageW(w "Parley.CloseForUpgrade") i .r0'
    ${If} $0 != 0
      ; HWND_BROADCAST, SMTO_ABORTIFHUNG, at most 5 s for a window to take it
      System::Call 'user32::SendMessageTimeoutW(p 0xffff, i r0, p 0, p 0, i 2, i 5000, *p .r1)'
      !insertmacro LogLine "Asked running Parley clients to close."
    ${EndIf}
  ${EndIf}
FunctionEnd

; Every program this install replaces must be writable now: a running parley.exe that did not
; close when asked (or any other holder) stops the install before anything is changed, and the
; service is started again if this run stopped it. Exit code 8.
Function CheckReplaceable
  Push $R0
  Push $R1
  Push $R2
  Push $R3
  Push $R4
  StrCpy $R1 ""
  ${ForEach} $R2 1 4 + 1
    ${Select} $R2
      ${Case} 1
        StrCpy $R0 "parley-server.exe"
      ${Case} 2
        StrCpy $R0 "parley.exe"
      ${Case} 3
        StrCpy $R0 "parley-cli.exe"
      ${Case} 4
        StrCpy $R0 "uninstall.exe"
    ${EndSelect}
    ${If} ${FileExists} "$INSTDIR\$R0"
      ; A client that was asked to close takes a moment to exit: up to 5 s. ($R4: 1 while
      ; the file is held; testing the error flag clears it, so it is noted here.)
      StrCpy $R4 1
      ${For} $R3 1 25
        ClearErrors
        FileOpen $0 "$INSTDIR\$R0" a
        ${IfNot} ${Errors}
          FileClose $0
          StrCpy $R4 0
          ${Break}
        ${EndIf}
        Sleep 200
      ${Next}
      ${If} $R4 == 1
        StrCpy $R1 "$R1 $R0"
      ${EndIf}
    ${EndIf}
  ${Next}
  ${If} $R1 != ""
    ${If} $WasRunning == 1
      !insertmacro RunLogged '"$INSTDIR\parley-server.exe" --start'
    ${EndIf}
    !insertmacro Fail 8 "Cannot replace$R1 in $INSTDIR: in use (is Parley running?). Nothing was changed: Parley $PreviousVersion is still installed. Close it and run setup again."
  ${EndIf}
  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
FunctionEnd

; The Windows Firewall rule. /FIREWALL= sets its profile (none: no rule). Without it, a new
; install allows any profile, and an upgrade keeps the rule as it is (profile and all), only
; pointing it at the program's new place.
Function SetUpFirewall
  ${If} $Firewall == ""
  ${AndIf} $ServiceExisted == 1
    ReadRegStr $R0 HKLM "${UNINST_KEY}" "Firewall"
    ${If} $R0 == "none"
      !insertmacro LogLine "No firewall rule (as installed before)."
    ${Else}
      !insertmacro RunLogged '"$SYSDIR\netsh.exe" advfirewall firewall set rule name="${FIREWALL_RULE}" new program="$INSTDIR\parley-server.exe"'
      !insertmacro LogLine "Kept the firewall rule $\"${FIREWALL_RULE}$\" and its profile."
    ${EndIf}
    Return
  ${EndIf}
  ${If} $Firewall == ""
    StrCpy $Firewall "any"
  ${EndIf}
  !insertmacro RunLogged '"$SYSDIR\netsh.exe" advfirewall firewall delete rule name="${FIREWALL_RULE}"'
  ${If} $Firewall == "none"
    !insertmacro LogLine "No firewall rule (/FIREWALL=none)."
    Return
  ${EndIf}
  !insertmacro RunLogged '"$SYSDIR\netsh.exe" advfirewall firewall add rule name="${FIREWALL_RULE}" dir=in action=allow program="$INSTDIR\parley-server.exe" enable=yes profile=$Firewall protocol=TCP description="Parley chat server (added by the Parley installer)"'
  ${If} $0 != 0
    !insertmacro LogLine "Note: the Windows Firewall rule could not be added (netsh exit code $0)."
  ${EndIf}
FunctionEnd

; An upgrade into another folder (/D=) removes the programs from the old one.
Function RemovePreviousLocation
  ${If} $PreviousLocation != ""
  ${AndIf} $PreviousLocation != $INSTDIR
  ${AndIf} ${FileExists} "$PreviousLocation\uninstall.exe"
    !insertmacro LogLine "Removing the previous copy from $PreviousLocation."
    Delete "$PreviousLocation\parley-server.exe"
    Delete "$PreviousLocation\parley.exe"
    Delete "$PreviousLocation\parley-cli.exe"
    Delete "$PreviousLocation\ADMIN.md"
    Delete "$PreviousLocation\uninstall.exe"
    RMDir "$PreviousLocation"
  ${EndIf}
FunctionEnd

; Selects the data section of the uninstaller when /REMOVEDATA is given.
Function un.ApplyRemoveDataSwitch
  Push $R0
  Push $R1
  ${un.GetParameters} $R0
  ClearErrors
  ${un.GetOptions} $R0 "/REMOVEDATA" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${UnSecData}
  ${EndIf}
  Pop $R1
  Pop $R0
FunctionEnd
