/* SPDX-License-Identifier: MIT */
/*
 * vmodesd — the vmodes system daemon: finds the virtual GPUs and makes sure
 * their driver is loaded, owns /etc/vmodes/vmodes.conf, writes the
 * xorg.conf.d snippet from it, and serves org.vmodes.Daemon1 on the system
 * bus. Idle, it sleeps in sd-event with no timers (zero wakeups): only a
 * udev event, a D-Bus message or a signal wakes it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "agent/common/bus.h"
#include "agent/daemon/bus.h"
#include "agent/daemon/daemon.h"
#include "agent/core/kcmdline.h"
#include "agent/daemon/greeter.h"

#define DEFAULT_XORG XORGCONFDIR "/40-vmodes.conf"
#define DEFAULT_GRUB SYSCONFDIR "/default/grub.d/vmodes.cfg"

static void help(void)
{
        printf("Usage: vmodesd [OPTIONS]\n"
               "\n"
               "The vmodes system daemon. Finds the virtual GPUs (QXL, virtio-gpu) and loads\n"
               "their kernel driver when it is missing, keeps the display config in\n"
               "%s and writes %s from it, so Xorg and the\n"
               "login screen start with the configured modes, and a monitors.xml for GDM's\n"
               "login screen on Wayland. Serves org.vmodes.Daemon1 on the system bus (see\n"
               "vmodesd(8) / README). Normally started by systemd.\n"
               "\n"
               "Options:\n"
               "  --config=FILE       the config file (default %s)\n"
               "  --xorg-config=FILE  the generated X config (default %s)\n"
               "  --grub-dropin=FILE  the kernel command-line drop-in written when\n"
               "                      kernel-cmdline = true (default %s;\n"
               "                      empty: never)\n"
               "  --greeter-monitors=FILE  the monitors.xml for GDM's login screen (default\n"
               "                      %s when GDM is installed; empty: never)\n"
               "  --edid-dir=DIR      where the EDID blobs of the kernel route go, for\n"
               "                      connectors whose driver reads an EDID (virtio-gpu,\n"
               "                      bochs) with kernel-cmdline = true (default %s)\n"
               "  --bus=system|session  which bus to serve on (default system)\n"
               "  --address=ADDRESS   serve on the bus at this D-Bus address instead\n"
               "  --no-load-modules   do not load missing GPU driver modules\n"
               "  --no-monitor        do not follow udev device events\n"
               "  -h, --help          show this help\n"
               "  --version           show the version\n"
               "\n"
               "Signals: SIGHUP re-reads the config file (a broken file is reported with\n"
               "FILE:LINE, the previous config stays in use and changes are refused until\n"
               "the file is fixed and reloaded); SIGTERM stops.\n",
               VMODES_CONFIG_DEFAULT_PATH, DEFAULT_XORG, VMODES_CONFIG_DEFAULT_PATH, DEFAULT_XORG, DEFAULT_GRUB,
               VMODES_GREETER_MONITORS_PATH, VMODES_EDID_FIRMWARE_DIR);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        struct vmodes_daemon *d = userdata;
        struct vmodes_error err;

        if (si->ssi_signo == SIGHUP) {
                sd_notify(0, "RELOADING=1");
                if (vmodes_daemon_load_config(d, false, &err) < 0)
                        ; /* logged, ConfigError set: read-only */
                else if (vmodes_daemon_write_outputs(d, &err) < 0)
                        log_error("%s", err.msg);
                else
                        log_info("reloaded %s", d->opt.config_path);
                vmodes_daemon_config_changed(d);
                sd_notify(0, "READY=1");
                return 0;
        }
        log_info("stopping (%s)", strsignal((int)si->ssi_signo));
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* What the command line asks for. */
struct args {
        struct vmodes_daemon_options opt;
        const char *bus_kind, *address;
};

/* The command line: -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
        enum { OPT_CONFIG = 256, OPT_XORG, OPT_GRUB, OPT_GREETER, OPT_EDID, OPT_BUS, OPT_ADDRESS, OPT_NO_LOAD, OPT_NO_MONITOR, OPT_VERSION };
        static const struct option long_options[] = {
                { "config", required_argument, NULL, OPT_CONFIG },
                { "xorg-config", required_argument, NULL, OPT_XORG },
                { "grub-dropin", required_argument, NULL, OPT_GRUB },
                { "greeter-monitors", required_argument, NULL, OPT_GREETER },
                { "edid-dir", required_argument, NULL, OPT_EDID },
                { "bus", required_argument, NULL, OPT_BUS },
                { "address", required_argument, NULL, OPT_ADDRESS },
                { "no-load-modules", no_argument, NULL, OPT_NO_LOAD },
                { "no-monitor", no_argument, NULL, OPT_NO_MONITOR },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
                switch (c) {
                case OPT_CONFIG: a->opt.config_path = optarg; break;
                case OPT_XORG: a->opt.xorg_path = optarg; break;
                case OPT_GRUB: a->opt.grub_path = optarg; break;
                case OPT_GREETER: a->opt.greeter_path = optarg; break;
                case OPT_EDID: a->opt.edid_dir = optarg; break;
                case OPT_BUS:
                        if (strcmp(optarg, "system") && strcmp(optarg, "session")) {
                                log_error("--bus must be system or session, not '%s'", optarg);
                                return 2;
                        }
                        a->bus_kind = optarg;
                        break;
                case OPT_ADDRESS: a->address = optarg; break;
                case OPT_NO_LOAD: a->opt.load_modules = false; break;
                case OPT_NO_MONITOR: a->opt.monitor = false; break;
                case 'h': help(); return 0;
                case OPT_VERSION: printf("vmodesd %s\n", PACKAGE_VERSION); return 0;
                default: return 2;
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s' (see --help)", argv[optind]);
                return 2;
        }
        if (!*a->opt.config_path || !*a->opt.xorg_path) {
                log_error("--config and --xorg-config need a file name");
                return 2;
        }
        return -1;
}

/* Serve until SIGTERM: the exit status. */
static int serve(const struct args *a)
{
        struct vmodes_daemon *d = NULL;
        struct vmodes_daemon_bus *b = NULL;
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        struct vmodes_error err;
        sigset_t mask;
        int r;

        vmodes_log_setup(NULL, VMODES_LOG_PREFIX_ALWAYS);
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_default(&event);
        if (r < 0)
                goto fail;
        r = vmodes_daemon_new(&d, &a->opt, event);
        if (r < 0)
                goto fail;
        sd_event_add_signal(event, NULL, SIGTERM, on_signal, d);
        sd_event_add_signal(event, NULL, SIGINT, on_signal, d);
        sd_event_add_signal(event, NULL, SIGHUP, on_signal, d);

        /* the bus name first: it makes sure this is the only writer */
        if (!a->address && !strcmp(a->bus_kind, "session"))
                r = sd_bus_open_user(&bus);
        else
                r = vmodes_bus_open(a->address, &bus);
        if (r < 0) {
                log_error("cannot connect to the %s bus: %s", a->address ? a->address : a->bus_kind,
                        strerror(-r));
                goto fail;
        }
        r = vmodes_daemon_bus_new(&b, d, bus);
        if (r < 0)
                goto fail;
        r = sd_bus_attach_event(bus, event, 0);
        if (r < 0)
                goto fail;
        r = sd_bus_request_name(bus, VMODES_BUS_NAME, 0);
        if (r < 0) {
                log_error("cannot own %s: %s (is another vmodesd running?)", VMODES_BUS_NAME,
                        strerror(-r));
                goto fail;
        }

        vmodes_daemon_scan(d);
        /* a damaged config leaves the X config as it is (read-only) */
        if (vmodes_daemon_load_config(d, true, &err) < 0)
                ; /* logged, ConfigError set: read-only */
        else if (vmodes_daemon_write_outputs(d, &err) < 0)
                log_error("%s", err.msg);

        sd_notify(0, "READY=1\nSTATUS=Serving " VMODES_BUS_NAME);
        r = sd_event_loop(event);
fail:
        if (r < 0)
                log_error("vmodesd: %s", strerror(-r));
        vmodes_daemon_bus_free(b);
        vmodes_daemon_free(d);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
        struct args a = {
                .opt = {
                        .config_path = VMODES_CONFIG_DEFAULT_PATH,
                        .xorg_path = DEFAULT_XORG,
                        .grub_path = DEFAULT_GRUB,
                        .load_modules = true,
                        .monitor = true,
                },
                .bus_kind = "system",
        };
        int r;

        /* argument errors go to the terminal; once running, the journal */
        vmodes_log_setup("vmodesd", VMODES_LOG_PREFIX_NEVER);
        r = parse_args(argc, argv, &a);
        return r >= 0 ? r : serve(&a);
}
