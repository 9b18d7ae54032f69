; Inno Setup 6 script: the Windows installer for fmdesk.
;
; Build the program first, then the installer (on Windows, from the repository root):
;   python packaging\build.py --installer
; or by hand:
;   python packaging\build.py
;   iscc /DAppVersion=0.1.0 packaging\windows\fmdesk.iss
; Output: dist\installer\fmdesk-VERSION-setup.exe. Paths below are relative to this file.
;
; It installs dist\fmdesk (the one-folder build: fmdesk.exe, the app without a console window,
; and fmdesk-cli.exe, the command line) into Program Files, or into the user's own programs
; folder when installed without administrator rights; adds Start-menu entries for the app and
; for the self-test; and registers an uninstaller. Uninstalling removes the program only: each
; user's store (%LOCALAPPDATA%\fmdesk) is never touched. Silent installs for managed laptops:
;   fmdesk-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /ALLUSERS

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
; The AppId identifies fmdesk to Windows across versions: never change it, or upgrades would
; install beside the old copy instead of over it.
AppId={{83769EDD-0328-419E-AE53-0E1E47648C58}
AppName=fmdesk
AppVersion={#AppVersion}
AppVerName=fmdesk {#AppVersion}
AppPublisher=fmdesk
AppComments=Encrypted caseload and outcomes tracking for Early Help keyworkers
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\fmdesk
DefaultGroupName=fmdesk
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist\installer
OutputBaseFilename=fmdesk-{#AppVersion}-setup
SetupIconFile=..\icons\fmdesk.ico
UninstallDisplayIcon={app}\fmdesk.exe
UninstallDisplayName=fmdesk {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An upgrade closes a running fmdesk first (its autosave keeps what was typed).
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole program folder, so no file of an older version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\..\dist\fmdesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\fmdesk"; Filename: "{app}\fmdesk.exe"; Comment: "Your encrypted caseload"
Name: "{group}\fmdesk self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\fmdesk-cli.exe"" self-test"; WorkingDir: "{app}"; Comment: "Check that this copy of fmdesk works"
Name: "{group}\Uninstall fmdesk"; Filename: "{uninstallexe}"
Name: "{autodesktop}\fmdesk"; Filename: "{app}\fmdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\fmdesk.exe"; Description: "{cm:LaunchProgram,fmdesk}"; Flags: nowait postinstall skipifsilent
