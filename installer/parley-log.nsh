; parley-log.nsh - the install log and the helpers that write to it: every run of the installer
; and of the uninstaller appends what it did and why it stopped to
; %ProgramData%\Parley\install.log (or /LOG=path), silent runs included. Included by parley.nsi
; before its sections.

!include "FileFunc.nsh"
!include "LogicLib.nsh"

Var LogHandle   ; the open install log, or ""
Var LogPath
Var LogText

; A line in the details list and in the log.
!macro LogLine text
  StrCpy $LogText "${text}"
  DetailPrint "$LogText"
  ${If} $LogHandle != ""
    FileWrite $LogHandle "$LogText$\r$\n"
  ${EndIf}
!macroend

; Runs a command and logs it with its output and exit code: $0 = exit code, $1 = output.
!macro RunLogged cmd
  StrCpy $LogText '${cmd}'
  !insertmacro LogLine "> $LogText"
  nsExec::ExecToStack '${cmd}'
  Pop $0
  Pop $1
  ${If} $1 != ""
    DetailPrint "$1"
    ${If} $LogHandle != ""
      FileWrite $LogHandle "$1"
    ${EndIf}
  ${EndIf}
  ${If} $LogHandle != ""
    FileWrite $LogHandle "(exit code $0)$\r$\n"
  ${EndIf}
!macroend

; Stops the installer with this exit code and the reason, in the log and (unless silent) in a
; message box.
!macro Fail code text
  !insertmacro LogLine "${text}"
  MessageBox MB_ICONSTOP "${text}" /SD IDOK
  !insertmacro LogLine "Finished: exit code ${code}."
  !ifdef __UNINSTALL__
    Call un.CloseInstallLog
  !else
    Call CloseInstallLog
  !endif
  SetErrorLevel ${code}
  Quit
!macroend

; Extracts one file into $INSTDIR and stops (exit code 8) if it could not be written: NSIS's
; silent default would otherwise ignore the error and carry on.
!macro FileChecked src name
  ClearErrors
  File "${src}"
  ${If} ${Errors}
    !insertmacro Fail 8 "Cannot replace $INSTDIR\${name}: it is in use. Close every program from $INSTDIR and run setup again."
  ${EndIf}
!macroend

; The log functions, once for the installer (un = "") and once for the uninstaller ("un.").
!macro LOG_FUNCTIONS un what
; The log /LOG= names (default %ProgramData%\Parley\install.log), into $LogPath.
Function ${un}InstallLogPath
  Push $R0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/LOG=" $LogPath
  ${If} ${Errors}
  ${OrIf} $LogPath == ""
    StrCpy $LogPath "$APPDATA\Parley\install.log"
  ${EndIf}
  Pop $R0
FunctionEnd

; Opens $LogPath for appending and writes a header naming the run ("setup" or "uninstall"). A
; log that cannot be written stops the run (exit code 2): a silent run must leave a record.
Function ${un}OpenInstallLog
  Push $R0
  Push $R1
  ${GetParameters} $R0
  ${GetParent} $LogPath $R1
  ${If} $R1 != ""
    CreateDirectory $R1
  ${EndIf}
  ClearErrors
  FileOpen $LogHandle $LogPath a
  ${If} ${Errors}
    StrCpy $LogHandle ""
    MessageBox MB_ICONSTOP "Cannot write the install log $LogPath. Choose another place with /LOG=path." /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  FileSeek $LogHandle 0 END
  ${GetTime} "" "L" $0 $1 $2 $3 $4 $5 $6
  FileWrite $LogHandle "$\r$\n==== Parley ${VERSION} ${what}, $2-$1-$0 $4:$5:$6$\r$\n"
  FileWrite $LogHandle "command line: $R0$\r$\n"
  Pop $R1
  Pop $R0
FunctionEnd

Function ${un}CloseInstallLog
  ${If} $LogHandle != ""
    FileClose $LogHandle
    StrCpy $LogHandle ""
  ${EndIf}
FunctionEnd
!macroend
!insertmacro LOG_FUNCTIONS "" "setup"
!insertmacro LOG_FUNCTIONS "un." "uninstall"
