#!/bin/sh
# run-gui-test.sh — runs one GUI test under its own X server (xvfb-run) and, when it passes,
# turns the screenshot it saved (BMP) into a PNG.
#   run-gui-test.sh EMULATOR TEST_EXE TEST_NAME [SCREENSHOT.png]
# EMULATOR is the build's wine-run (empty: run the test as it is, e.g. from an MSYS shell on
# Windows). Exits 77 (CTest's "skipped") only when xvfb-run is missing.
emulator=$1
exe=$2
name=$3
png=$4
bmp="gui-$name.bmp"

if [ -n "$emulator" ]; then
  if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "run-gui-test: xvfb-run is not installed; skipping $name (apt-get install xvfb xauth)"
    exit 77
  fi
  rm -f "$bmp"
  # Debian's Wine draws caption buttons with Marlett only once the font sits in the prefix;
  # without it they show as "0 1 r".
  if [ -n "$PARLEY_WINEPREFIX" ] && [ -f /usr/share/wine/fonts/marlett.ttf ] &&
     [ -d "$PARLEY_WINEPREFIX/drive_c/windows/Fonts" ] &&
     [ ! -f "$PARLEY_WINEPREFIX/drive_c/windows/Fonts/marlett.ttf" ]; then
    cp /usr/share/wine/fonts/marlett.ttf "$PARLEY_WINEPREFIX/drive_c/windows/Fonts/"
  fi
  # The test process and the parley.exe it starts share one Wine virtual desktop on this
  # private display; see gui_desktop_enter.
  PARLEY_GUI_SCREENSHOT="$bmp" xvfb-run -a -s "-screen 0 1600x900x24" "$emulator" "$exe" "$name"
  rc=$?
else
  PARLEY_GUI_SCREENSHOT="$bmp" "$exe" "$name"
  rc=$?
fi

if [ $rc -eq 0 ] && [ -n "$png" ] && [ -f "$bmp" ]; then
  if command -v convert >/dev/null 2>&1; then
    convert "$bmp" "$png" && echo "run-gui-test: screenshot saved as $png"
  else
    cp "$bmp" "${png%.png}.bmp" && echo "run-gui-test: screenshot saved as ${png%.png}.bmp (no ImageMagick)"
  fi
fi
exit $rc
