# Build the Windows installer on a Windows build agent: virtual environment, PyInstaller one-folder
# build, Inno Setup. Output: dist\clinician-assistant_<version>_x64-setup.exe. See README.md.
param(
    [string]$Python = "py",
    [string]$PythonVersion = "-3.11",
    [string]$Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
)
$ErrorActionPreference = "Stop"
$Root = Resolve-Path "$PSScriptRoot\..\.."
Set-Location $Root

$Pack = if ($env:ASSISTANT_BUILD_PACK) { $env:ASSISTANT_BUILD_PACK } else { "models\default" }
if (-not (Test-Path "$Pack\manifest.json")) {
    throw "no model pack at $Pack (manifest.json missing): copy the pack that ``make model`` built on Linux " +
          "(packs are platform-independent) to models\default, or set ASSISTANT_BUILD_PACK"
}
if (-not (Test-Path $Iscc)) { throw "Inno Setup 6 not found at $Iscc (install it, or pass -Iscc PATH)" }

if (-not (Test-Path ".venv-win\Scripts\python.exe")) { & $Python $PythonVersion -m venv .venv-win }
$Py = ".venv-win\Scripts\python.exe"
& $Py -m pip install --quiet --upgrade pip
& $Py -m pip install --quiet ".[installer]"
if ($LASTEXITCODE) { throw "pip install failed" }

& $Py -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller installer\assistant.spec
if ($LASTEXITCODE) { throw "PyInstaller failed" }
$Version = ((& dist\clinician-assistant\clinician-assistant.exe --version) -split " ")[-1]
if ($LASTEXITCODE -or -not $Version) { throw "the built app does not start" }

& $Iscc "/DAppVersion=$Version" installer\windows\clinician-assistant.iss
if ($LASTEXITCODE) { throw "Inno Setup failed" }
Write-Host "built dist\clinician-assistant_${Version}_x64-setup.exe"
