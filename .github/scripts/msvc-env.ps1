# msvc-env.ps1 — puts the newest installed Visual Studio's x64 C compiler (cl.exe), the Windows
# SDK tools (rc.exe, mc.exe) and their INCLUDE/LIB paths into the environment of the job's later
# steps, as a "Developer PowerShell" would. Works with Visual Studio 2022 and 2026 alike: it asks
# vswhere for the installation rather than naming a version.
$ErrorActionPreference = 'Stop'
$vswhere = Join-Path ${env:ProgramFiles(x86)} 'Microsoft Visual Studio\Installer\vswhere.exe'
if (-not (Test-Path $vswhere)) { throw "vswhere.exe not found: is Visual Studio installed?" }
$vs = & $vswhere -latest -products * -requires Microsoft.VisualStudio.Component.VC.Tools.x86.x64 -property installationPath
if (-not $vs) { throw 'no Visual Studio with the x64 C/C++ tools is installed' }
$devcmd = Join-Path $vs 'Common7\Tools\VsDevCmd.bat'
if (-not (Test-Path $devcmd)) { throw "$devcmd not found" }
Write-Output "Visual Studio: $vs ($(& $vswhere -latest -products * -property catalog_productDisplayVersion))"
# Run the developer prompt's set-up in cmd and keep every variable it leaves.
$vars = cmd.exe /c "`"$devcmd`" -no_logo -arch=amd64 -host_arch=amd64 && set"
if ($LASTEXITCODE -ne 0) { throw "VsDevCmd.bat failed with exit code $LASTEXITCODE" }
foreach ($line in $vars) {
  if ($line -match '^([^=]+)=(.*)$') {
    $name = $Matches[1]; $value = $Matches[2]
    if ($env:GITHUB_ENV) { Add-Content -Path $env:GITHUB_ENV -Value "$name=$value" -Encoding utf8 }
    Set-Item -Path "env:$name" -Value $value
  }
}
$cl = Get-Command cl.exe -ErrorAction SilentlyContinue
if (-not $cl) { throw 'cl.exe is not on PATH after VsDevCmd.bat' }
Write-Output "cl.exe: $($cl.Source)"
