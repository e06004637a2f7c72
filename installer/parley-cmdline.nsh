; parley-cmdline.nsh - the installer's own command-line switches, for silent installs:
;   /COMPONENTS=server,client,desktop   install exactly these (default: server and client)
; and the uninstaller's:
;   /REMOVEDATA                         also delete settings, history and the secret key
; NSIS's own /S (silent) and /D=DIR (install directory, last on the line) work as usual.
; Included by parley.nsi after its sections, whose IDs it uses.

!include "FileFunc.nsh"
!include "WordFunc.nsh"
!include "LogicLib.nsh"
!include "Sections.nsh"

; Selects the components named in /COMPONENTS= and unselects the others. An unknown name
; stops the installer with exit code 2 and says which names it knows.
Function ApplyComponentsSwitch
  Push $R0
  Push $R1
  Push $R2
  Push $R3
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/COMPONENTS=" $R1
  ${IfNot} ${Errors}
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
        MessageBox MB_ICONSTOP "Unknown component '$R3' in /COMPONENTS=.$\n$\nKnown: ${KNOWN_COMPONENTS}." /SD IDOK
        SetErrorLevel 2
        Quit
      ${EndIf}
      IntOp $R2 $R2 + 1
    ${Loop}
  ${EndIf}
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
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
