# signon-ntlm.ps1 — Windows sign-on on a standalone runner (no domain, so no Kerberos): the
# runner's own account signs on from parley-cli.exe to parley-server.exe on the same machine
# through NTLM when both allow it, under the name the server reports (DOMAIN\user, the account
# "user"); and the same client is refused when the server has allow_ntlm = no. Ends with an
# error (exit 1) on any difference.
param([string]$Build = "build\msvc")
$ErrorActionPreference = "Stop"

$server = Join-Path $Build "server\parley-server.exe"
$cli = Join-Path $Build "client\cli\parley-cli.exe"
$work = Join-Path $env:RUNNER_TEMP "parley-signon"
Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
New-Item -ItemType Directory -Force $work | Out-Null
$domain = $env:USERDOMAIN
$user = $env:USERNAME
$env:PARLEY_KEY = "workflow sign-on key"
$failed = $false

# Runs the server with allow_ntlm = $ntlm on $port, the client against it; returns the client's
# output and the server's log.
function Invoke-Case([string]$name, [string]$ntlm, [int]$port) {
    $ini = Join-Path $work "$name.ini"
    $log = Join-Path $work "$name.log"
    @"
[server]
port = $port
bind = 127.0.0.1
data_dir = $work\$name-data
[security]
auth = windows
secret = workflow sign-on key
iterations = 1000
[signon]
realms = $domain
allow_ntlm = $ntlm
auto_create = yes
[log]
file = $log
console = false
"@ | Set-Content -Encoding ascii $ini
    $p = Start-Process -FilePath $server -ArgumentList "--config", "`"$ini`"" -PassThru -NoNewWindow
    try {
        for ($i = 0; $i -lt 150; $i++) {
            if ((Test-Path $log) -and (Select-String -Quiet -Path $log -Pattern "listening on")) { break }
            Start-Sleep -Milliseconds 100
        }
        $out = ($null | & $cli --host 127.0.0.1 --port $port --allow-ntlm --no-reconnect --script `
                    --nick ignored 2>&1) | Out-String
    } finally {
        Stop-Process -Id $p.Id -Force -ErrorAction SilentlyContinue
    }
    Start-Sleep -Milliseconds 300
    return @{ Client = $out; Log = (Get-Content -Raw $log) }
}

function Expect([string]$what, [string]$text, [string]$pattern) {
    if ($text -match $pattern) {
        Write-Host "ok: $what"
    } else {
        Write-Host "FAILED: $what (no match for $pattern)"
        $script:failed = $true
    }
}

$on = Invoke-Case "ntlm-on" "yes" 7431
Write-Host "--- client, allow_ntlm = yes`n$($on.Client)--- server log`n$($on.Log)"
Expect "signed on as the runner's account" $on.Client "(?m)^connected $([regex]::Escape($user)) "
Expect "through NTLM" $on.Client "(?m)^signed_on windows ntlm"
Expect "the server names DOMAIN\user" $on.Log `
    "$([regex]::Escape("$domain\$user")) signed on from 127\.0\.0\.1 as $([regex]::Escape($user)) \(ntlm"

$off = Invoke-Case "ntlm-off" "no" 7432
Write-Host "--- client, allow_ntlm = no`n$($off.Client)--- server log`n$($off.Log)"
Expect "refused without allow_ntlm" $off.Client "(?m)^bye SIGNON_FAILED .*only NTLM was possible, and allow_ntlm is off"

if ($failed) { exit 1 }
