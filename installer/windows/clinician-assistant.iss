; Clinician Assistant: Inno Setup 6 script for the PyInstaller one-folder build (dist\clinician-assistant).
; Per-machine install into Program Files; machine-wide data under %ProgramData%\clinician-assistant.
; Build on a Windows agent with build.ps1 (see README.md); by hand:
;   iscc /DAppVersion=0.1.0 installer\windows\clinician-assistant.iss
; Silent install (IT):
;   clinician-assistant_0.1.0_x64-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;       /SITECONFIG="\\server\it\clinician-assistant\site.toml" [/MODELPACK="\\server\it\pack.zip"]
;       /LOG="C:\Windows\Temp\clinician-assistant-setup.log"

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Clinician Assistant"
#define AppExe "clinician-assistant.exe"
#define AppGuiExe "clinician-assistant-gui.exe"
; Matches assistant.config on Windows: site.toml, models\ and data\ live here.
#define DataDir "{commonappdata}\clinician-assistant"

[Setup]
; Never change AppId: upgrades find the installed version by it.
AppId={{FF8B0D1D-BA22-431E-9A28-25C8EE79BAF9}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Clinician Assistant maintainers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
; Per-machine only: every user of the workstation gets the app; installing needs an administrator.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=clinician-assistant_{#AppVersion}_x64-setup
SetupIconFile=..\icons\clinician-assistant.ico
UninstallDisplayIcon={app}\{#AppGuiExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running copy (Restart Manager) instead of asking to reboot.
CloseApplications=force
RestartApplications=no
SetupLogging=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: no stale library from the previous version stays behind.
Type: filesandordirs; Name: "{app}\_internal"

[Dirs]
Name: "{#DataDir}"
; Model packs: written by administrators (`clinician-assistant model install`), read by everyone.
Name: "{#DataDir}\models"; Flags: uninsneveruninstall
; Shared databases (database.path in site.toml): every user of the machine may read and write.
Name: "{#DataDir}\data"; Permissions: users-modify; Flags: uninsneveruninstall

[Files]
Source: "..\..\dist\clinician-assistant\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; Site configuration: /SITECONFIG=FILE installs (and on upgrade replaces) it; otherwise the template is
; installed once and an existing site.toml is never overwritten. Uninstall keeps it.
Source: "{param:SITECONFIG|}"; DestDir: "{#DataDir}"; DestName: "site.toml"; Flags: external ignoreversion uninsneveruninstall; Check: HasParam('SITECONFIG')
Source: "..\site.toml.example"; DestDir: "{#DataDir}"; DestName: "site.toml"; Flags: onlyifdoesntexist uninsneveruninstall; Check: not HasParam('SITECONFIG')
Source: "..\site.toml.example"; DestDir: "{#DataDir}"; Flags: ignoreversion
Source: "..\..\docs\DEPLOYMENT.md"; DestDir: "{app}\docs"; Flags: ignoreversion skipifsourcedoesntexist

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppGuiExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppGuiExe}"; Tasks: desktopicon

[Run]
; /MODELPACK=PACK.zip|FOLDER: verify it, copy it to the models folder and make it the default.
Filename: "{app}\{#AppExe}"; Parameters: "model install ""{param:MODELPACK}"""; StatusMsg: "Installing the model pack..."; Flags: runhidden waituntilterminated; Check: HasParam('MODELPACK')
; The doctor's report after every install or upgrade, for IT: %ProgramData%\clinician-assistant\install-doctor.txt
Filename: "{cmd}"; Parameters: "/C """"{app}\{#AppExe}"" doctor > ""{#DataDir}\install-doctor.txt"" 2>&1"""; StatusMsg: "Checking the installation..."; Flags: runhidden waituntilterminated
Filename: "{app}\{#AppGuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: files; Name: "{#DataDir}\install-doctor.txt"

[Code]
function HasParam(Name: String): Boolean;
begin
  Result := ExpandConstant('{param:' + Name + '|}') <> '';
end;

function InitializeSetup(): Boolean;
var
  Path: String;
begin
  Result := True;
  Path := ExpandConstant('{param:SITECONFIG|}');
  if (Path <> '') and not FileExists(Path) then
  begin
    Log('SITECONFIG file not found: ' + Path);
    SuppressibleMsgBox('Site configuration file not found: ' + Path, mbCriticalError, MB_OK, IDOK);
    Result := False;
  end;
  Path := ExpandConstant('{param:MODELPACK|}');
  if (Path <> '') and not FileExists(Path) and not DirExists(Path) then
  begin
    Log('MODELPACK not found: ' + Path);
    SuppressibleMsgBox('Model pack not found: ' + Path, mbCriticalError, MB_OK, IDOK);
    Result := False;
  end;
end;
