#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The files that install vmodesd: the systemd unit (systemd-analyze verify,
and its `security` exposure stays at most 2.5), the D-Bus activation file,
the polkit action, the bus policy (root owns, anyone calls)."""
import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from tally import Suite  # noqa: E402

SRC = os.environ.get('top_srcdir', '.')
BUILD = os.environ.get('top_builddir', '.')
SUITE = Suite()
check = SUITE.expect


unit = os.path.join(BUILD, 'systemd', 'vmodesd.service')
activation = os.path.join(BUILD, 'systemd', 'org.vmodes.Daemon1.service')
if not os.path.exists(unit) or not os.path.exists(activation):
    print('SKIP: generated units not built (make all)')
    sys.exit(77)

u = configparser.ConfigParser(strict=False, interpolation=None)
u.optionxform = str
u.read(unit)
svc = u['Service']
check('unit: Type=notify, BusName, ExecStart of the installed vmodesd',
      svc.get('Type') == 'notify' and svc.get('BusName') == 'org.vmodes.Daemon1'
      and svc.get('ExecStart', '').endswith('/vmodesd') and '@' not in svc.get('ExecStart', ''), dict(svc))
check('unit: ProtectSystem=strict, ProtectHome, PrivateTmp, NoNewPrivileges, only CAP_SYS_MODULE',
      svc.get('ProtectSystem') == 'strict' and svc.get('ProtectHome') == 'yes' and svc.get('PrivateTmp') == 'yes'
      and svc.get('NoNewPrivileges') == 'yes' and svc.get('CapabilityBoundingSet') == 'CAP_SYS_MODULE', dict(svc))
check('unit: writable are the config, X config, grub.d, xdg (monitors.xml) and EDID folders only',
      len(svc.get('ReadWritePaths', '').split()) == 5
      and all(p.endswith(('/vmodes', '/xorg.conf.d', '/default/grub.d', '/xdg', '/lib/vmodes/firmware'))
              for p in svc['ReadWritePaths'].split()),
      svc.get('ReadWritePaths'))
xdir = [p.lstrip('-') for p in svc.get('ReadWritePaths', '').split() if p.endswith('/xorg.conf.d')]
check('unit: the X config folder is created before the sandbox (a missing ReadWritePaths= folder is dropped)',
      xdir and svc.get('ExecStartPre', '').split() == ['-+/bin/mkdir', '-p', xdir[0]], svc.get('ExecStartPre'))

a = configparser.ConfigParser(interpolation=None)
a.optionxform = str
a.read(activation)
check('D-Bus activation: name, Exec, SystemdService',
      a['D-BUS Service'].get('Name') == 'org.vmodes.Daemon1' and a['D-BUS Service'].get('User') == 'root'
      and a['D-BUS Service'].get('SystemdService') == 'vmodesd.service'
      and a['D-BUS Service'].get('Exec') == svc.get('ExecStart'), dict(a['D-BUS Service']))

pol = ET.parse(os.path.join(SRC, 'systemd', 'org.vmodes.Daemon1.conf')).getroot()
root_own = [p for p in pol.findall('policy') if p.get('user') == 'root' and
            p.find("allow[@own='org.vmodes.Daemon1']") is not None]
default = [p for p in pol.findall('policy') if p.get('context') == 'default']
check('bus policy: root owns, default denies owning, allows calls',
      root_own and default and default[0].find("deny[@own='org.vmodes.Daemon1']") is not None
      and default[0].find("allow[@send_destination='org.vmodes.Daemon1'][@send_interface='org.vmodes.Daemon1']")
      is not None)

pk = ET.parse(os.path.join(SRC, 'systemd', 'org.vmodes.policy')).getroot()
act = pk.find("action[@id='org.vmodes.configure']")
d = act.find('defaults') if act is not None else None
check('polkit action org.vmodes.configure: active yes, others admin',
      d is not None and d.findtext('allow_active') == 'yes' and d.findtext('allow_any').startswith('auth_admin')
      and d.findtext('allow_inactive').startswith('auth_admin'))
act = pk.find("action[@id='org.vmodes.configure-boot']")
d = act.find('defaults') if act is not None else None
check('polkit action org.vmodes.configure-boot (kernel command line, every head off): admin everywhere',
      d is not None and all(d.findtext(k) == 'auth_admin_keep' for k in ('allow_any', 'allow_inactive', 'allow_active')))

if not shutil.which('systemd-analyze'):
    print('# systemd-analyze not installed: verify/security skipped')
else:
    p = subprocess.run(['systemd-analyze', 'security', '--offline=true', '--threshold=25', unit],
                       capture_output=True, text=True)
    last = [line for line in p.stdout.splitlines() if 'Overall exposure' in line]
    check('systemd-analyze security: exposure at most 2.5 (%s)' % (last[0].split(':', 1)[1].strip() if last else '?'),
          p.returncode == 0 and last, p.stdout[-2000:] + p.stderr)
    p = subprocess.run(['systemd-analyze', 'verify', '--man=no', unit], capture_output=True, text=True)
    # verify complains about an ExecStart binary that is not installed yet: that alone is fine
    errs = [line for line in p.stderr.splitlines() if line.strip() and 'is not executable' not in line
            and 'No such file or directory' not in line and 'Command ' not in line]
    check('systemd-analyze verify: no complaints about the unit', not errs, p.stderr)

SUITE.finish()
