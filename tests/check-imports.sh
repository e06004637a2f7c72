#!/bin/sh
# check-imports.sh — every Windows program and DLL in a build imports only DLLs that ship with
# Windows itself: no C/C++ runtime redistributable (VCRUNTIME*, MSVCP*, api-ms-win-crt-*) and no
# MinGW runtime DLL (libgcc*, libwinpthread*, libstdc++*). Prints each file and its imports.
# Usage: check-imports.sh BUILD_DIR OBJDUMP [EXCLUDED_DIR...]
set -u
build=$1 objdump=$2
shift 2
# DLLs that are part of Windows 10 / Windows Server 2016 and later.
system_dlls=" advapi32.dll bcrypt.dll comctl32.dll comdlg32.dll crypt32.dll dwmapi.dll gdi32.dll
 iphlpapi.dll kernel32.dll msvcrt.dll mswsock.dll netapi32.dll ntdll.dll ole32.dll oleacc.dll
 oleaut32.dll rpcrt4.dll secur32.dll shell32.dll shlwapi.dll sspicli.dll ucrtbase.dll
 uiautomationcore.dll user32.dll userenv.dll uxtheme.dll version.dll winmm.dll ws2_32.dll
 wtsapi32.dll propsys.dll dbghelp.dll "
system_dlls=" $(echo $system_dlls) "
files=$(find "$build" \( -name '*.exe' -o -name '*.dll' \) -type f | sort)
for ex in "$@"; do files=$(printf '%s\n' "$files" | grep -v "^$ex/"); done
[ -n "$files" ] || { echo "check-imports: no .exe or .dll under $build"; exit 1; }
bad=0 count=0
# One path a line, so a build folder whose path holds spaces still works.
while IFS= read -r f; do
  dump=$("$objdump" -p "$f") || { echo "$f: FAIL: $objdump cannot read it"; bad=1; continue; }
  imports=$(printf '%s\n' "$dump" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u)
  echo "${f#$build/}: $(echo $imports)"
  count=$((count + 1))
  for d in $imports; do
    case "$d" in
      vcruntime*|msvcp*|api-ms-win-crt-*|ucrtbased*|libgcc*|libwinpthread*|libstdc++*)
        echo "  FAIL: $d is a runtime redistributable, not part of Windows"; bad=1 ;;
      *) case "$system_dlls" in
           *" $d "*) ;;
           *) echo "  FAIL: $d is not known to ship with Windows (if it does, add it to the list)"
              bad=1 ;;
         esac ;;
    esac
  done
done <<EOF
$files
EOF
[ $bad -eq 0 ] || { echo "check-imports: FAILED"; exit 1; }
echo "check-imports: $count files import only DLLs that ship with Windows"
