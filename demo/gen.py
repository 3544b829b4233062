#!/usr/bin/env python3
"""Generator for the Millwright demo plant (libvirt test driver node files).
Kept outside the repo; output goes to /work/main/demo/hosts/."""
import uuid, os, sys
from xml.sax.saxutils import escape, quoteattr

OUT = sys.argv[1] if len(sys.argv) > 1 else "/work/main/demo/hosts"
NS = uuid.UUID("6d696c6c-7772-6967-6874-2e6c6f63616c")  # fixed namespace for uuid5
PLANT = "Ningbo"
STATE = {"running": 1, "paused": 3, "shutoff": 5}

def uid(*parts):
    return str(uuid.uuid5(NS, "/".join(parts)))

ISOS = {
    "debian-12.9.0-amd64-netinst.iso": 632,
    "virtio-win-0.1.262.iso": 708,
    "ubuntu-22.04.5-live-server-amd64.iso": 2086,
    "Win10_22H2_EnglishInternational_x64.iso": 5832,
}

def vm(name, vcpu, mem, state, ws, cell=None, title=None, os_="linux", disks=(), cdrom=None,
       nics=(), vnc=None, spice=None, cur_mem=None, machine="pc-q35-7.2"):
    return dict(kind="vm", name=name, vcpu=vcpu, mem=mem, state=state, ws=ws, cell=cell, title=title,
                os=os_, disks=list(disks), cdrom=cdrom, nics=list(nics), vnc=vnc, spice=spice,
                cur_mem=cur_mem, machine=machine)

def ct(name, vcpu, mem, state, ws, cell=None, title=None, init="/sbin/init", initargs=(), mounts=(), nics=()):
    return dict(kind="ct", name=name, vcpu=vcpu, mem=mem, state=state, ws=ws, cell=cell, title=title,
                init=init, initargs=list(initargs), mounts=list(mounts), nics=list(nics))

# disk: (volume, dev, bus, capacity GiB, allocation GiB, format)
# nic: ("net", network, portgroup|None) or ("br", bridge, vlan|None, ovs: bool)

HOSTS = [
  dict(file="press-line-1.xml", idx=1, label="Press line 1", area="Stamping", line="Press 1",
       cpu=dict(mhz=2100, nodes=2, sockets=1, cores=8, threads=2), mem_gib=128,
       subnet=1, alloc_scale=0.7, ot=True, ovs="ovs-press1", vlan=110, pgs=[("plc", 110), ("vision", 111)],
       domains=[
    vm("plc-gateway-01", 2, 2048, "running", "ops", "A1", "PLC gateway - presses P1-P4 (S7 / Modbus TCP)",
       disks=[("plc-gateway-01.qcow2", "vda", "virtio", 20, 6, "qcow2")],
       nics=[("net", "plant-nat", None), ("net", "line-br", "plc"), ("net", "ot-isolated", None)]),
    vm("scada-hmi-01", 4, 8192, "running", "ops", "A2", "SCADA HMI - Press 1 (WinCC runtime)", os_="windows",
       disks=[("scada-hmi-01.qcow2", "sda", "sata", 80, 24, "qcow2")], cdrom=("virtio-win-0.1.262.iso", "sdb"),
       nics=[("br", "ovs-press1", 110, True), ("net", "plant-nat", None)], vnc=5901),
    ct("opc-ua-bridge", 1, 1024, "running", "ops", "A2", "OPC UA bridge - press PLCs to MES",
       init="/usr/local/bin/opcua-bridge", initargs=["--config", "/etc/opcua/bridge.yaml"],
       mounts=[("/srv/millwright/opcua/press-line-1", "/etc/opcua", True)],
       nics=[("net", "plant-nat", None), ("net", "line-br", "plc")]),
    ct("tonnage-monitor", 1, 512, "running", "ops", "A1", "Press tonnage monitor",
       nics=[("net", "line-br", "plc")]),
    ct("andon-board", 1, 512, "running", "ops", "A3", "Andon board - Press 1",
       init="/usr/bin/node", initargs=["/opt/andon/server.js", "--line=press-1"],
       nics=[("net", "plant-nat", None)]),
    vm("qc-vision-01", 8, 16384, "paused", "ops", "A3", "Quality camera inspection - blanks",
       disks=[("qc-vision-01.qcow2", "vda", "virtio", 40, 14, "qcow2"),
              ("qc-vision-01-images.qcow2", "vdb", "virtio", 200, 18, "qcow2")],
       nics=[("net", "line-br", "vision"), ("net", "plant-nat", None)], vnc=5902),
    vm("test-runner-07", 2, 4096, "shutoff", "test", None, "CI test runner",
       disks=[("test-runner-07.qcow2", "vda", "virtio", 30, 5, "qcow2")],
       cdrom=("debian-12.9.0-amd64-netinst.iso", "sda"), nics=[("net", "plant-nat", None)], vnc=-1),
    vm("die-change-planner", 4, 8192, "shutoff", "dev", None, "Die change planner (dev build)",
       disks=[("die-change-planner.qcow2", "vda", "virtio", 40, 9, "qcow2")],
       nics=[("net", "plant-nat", None)], vnc=-1, spice=-1),
    vm("legacy-xp-hmi", 1, 2048, "shutoff", None, "A4", "Old press HMI (Windows XP) - keep for spare parts lookup",
       os_="windows", machine="pc-i440fx-7.2",
       disks=[("legacy-xp-hmi.img", "hda", "ide", 20, 12, "raw")],
       nics=[("net", "ot-isolated", None)], vnc=-1),
  ]),
  dict(file="weld-line-2.xml", idx=2, label="Weld line 2", area="Body shop", line="Weld 2",
       cpu=dict(mhz=2400, nodes=2, sockets=1, cores=12, threads=2), mem_gib=192,
       subnet=2, alloc_scale=0.92, ot=True, ovs="ovs-weld2", vlan=210, pgs=[("plc", 210), ("robots", 211)],
       domains=[
    vm("plc-gateway-03", 2, 2048, "running", "ops", "B1", "PLC gateway - weld cells B1-B4",
       disks=[("plc-gateway-03.qcow2", "vda", "virtio", 20, 6, "qcow2")],
       nics=[("net", "plant-nat", None), ("net", "line-br", "plc")]),
    ct("robot-cell-gw-02", 1, 1024, "running", "ops", "B2", "Robot cell gateway - B2",
       init="/usr/local/bin/robot-gw", initargs=["--cell", "B2", "--controllers", "/etc/robot-gw/cell-b2.toml"],
       mounts=[("/srv/millwright/robot-gw/b2", "/etc/robot-gw", True)],
       nics=[("net", "line-br", "robots")]),
    vm("scada-hmi-02", 4, 8192, "running", "ops", "B2", "SCADA HMI - Weld 2", os_="windows",
       disks=[("scada-hmi-02.qcow2", "sda", "sata", 80, 22, "qcow2")], cdrom=("virtio-win-0.1.262.iso", "sdb"),
       nics=[("br", "ovs-weld2", 210, True), ("net", "plant-nat", None)], vnc=5901, spice=5911),
    vm("weld-historian", 4, 12288, "running", "ops", None, "Weld parameter historian (TimescaleDB)",
       disks=[("weld-historian.qcow2", "vda", "virtio", 30, 7, "qcow2"),
              ("weld-historian-data.qcow2", "vdb", "virtio", 150, 24, "qcow2")],
       nics=[("net", "plant-nat", None), ("net", "ot-isolated", None)]),
    vm("qc-vision-02", 6, 12288, "running", "ops", "B3", "Weld seam camera inspection",
       disks=[("qc-vision-02.qcow2", "vda", "virtio", 40, 12, "qcow2")],
       nics=[("net", "line-br", "robots"), ("net", "plant-nat", None)], vnc=5902),
    ct("label-printer-svc", 1, 512, "running", "ops", "B3", "Label printer service (Zebra ZPL)",
       init="/usr/local/bin/label-printer-svc", initargs=["--printers", "/etc/labels/printers.yaml"],
       nics=[("net", "plant-nat", None)]),
    ct("mqtt-broker", 2, 2048, "running", "ops", None, "MQTT broker - Weld 2",
       init="/usr/sbin/mosquitto", initargs=["-c", "/etc/mosquitto/mosquitto.conf"],
       mounts=[("/srv/millwright/mosquitto/weld-line-2", "/var/lib/mosquitto", False)],
       nics=[("net", "plant-nat", None), ("net", "line-br", "plc")]),
    vm("test-runner-08", 4, 8192, "paused", "test", None, "CI test runner (robot programs)",
       disks=[("test-runner-08.qcow2", "vda", "virtio", 30, 6, "qcow2")],
       nics=[("net", "plant-nat", None)], vnc=5903),
    vm("robot-sim-01", 8, 16384, "shutoff", "design", None, "Offline robot programming / simulation", os_="windows",
       disks=[("robot-sim-01.qcow2", "sda", "sata", 120, 10, "qcow2")],
       cdrom=("Win10_22H2_EnglishInternational_x64.iso", "sdb"),
       nics=[("net", "plant-nat", None)], vnc=-1, spice=-1),
    vm("spare-hmi-02", 2, 4096, "shutoff", None, "B4", "Spare HMI image", os_="windows",
       disks=[("spare-hmi-02.qcow2", "sda", "sata", 60, 8, "qcow2")],
       nics=[("br", "ovs-weld2", 210, True)], vnc=-1),
  ]),
  dict(file="paint-line-3.xml", idx=3, label="Paint line 3", area="Paint shop", line="Paint 3",
       cpu=dict(mhz=2000, nodes=2, sockets=1, cores=16, threads=2), mem_gib=256,
       subnet=3, alloc_scale=0.7, ot=False, ovs="ovs-paint3", vlan=310, pgs=[("plc", 310), ("booth", 311)],
       domains=[
    vm("plc-gateway-05", 2, 2048, "running", "ops", "C1", "PLC gateway - booths and ovens",
       disks=[("plc-gateway-05.qcow2", "vda", "virtio", 20, 5, "qcow2")],
       nics=[("net", "plant-nat", None), ("net", "line-br", "plc")]),
    vm("scada-hmi-03", 4, 8192, "running", "ops", "C2", "SCADA HMI - Paint 3", os_="windows",
       disks=[("scada-hmi-03.qcow2", "sda", "sata", 80, 21, "qcow2")],
       nics=[("br", "ovs-paint3", 310, True), ("net", "plant-nat", None)], vnc=5901),
    ct("oven-temp-logger", 1, 512, "running", "ops", "C3", "Curing oven temperature logger",
       nics=[("net", "line-br", "booth")]),
    ct("color-match-svc", 2, 2048, "running", "ops", "C2", "Colour match service",
       init="/usr/local/bin/color-match", initargs=["--listen", "0.0.0.0:8080"],
       nics=[("net", "plant-nat", None)]),
    vm("cad-render-01", 8, 16384, "running", "design", None, "CAD render node 1",
       disks=[("cad-render-01.qcow2", "vda", "virtio", 60, 18, "qcow2"),
              ("cad-render-01-scratch.qcow2", "vdb", "virtio", 100, 10, "qcow2")],
       nics=[("net", "plant-nat", None)], vnc=5902, spice=5912),
    vm("cad-render-02", 8, 16384, "shutoff", "design", None, "CAD render node 2",
       disks=[("cad-render-02.qcow2", "vda", "virtio", 60, 9, "qcow2")],
       nics=[("net", "plant-nat", None)], vnc=-1),
    vm("qc-vision-03", 4, 8192, "paused", "test", "C3", "Paint defect camera - model trial",
       disks=[("qc-vision-03.qcow2", "vda", "virtio", 40, 11, "qcow2")],
       nics=[("net", "line-br", "booth"), ("net", "plant-nat", None)], vnc=5903),
    ct("paint-dev-sandbox", 2, 4096, "shutoff", "dev", None, "Developer sandbox",
       nics=[("net", "plant-nat", None)]),
    vm("recipe-editor", 2, 4096, "running", "dev", None, "Paint recipe editor (dev)",
       disks=[("recipe-editor.qcow2", "vda", "virtio", 30, 6, "qcow2")],
       cdrom=("ubuntu-22.04.5-live-server-amd64.iso", "sda"),
       nics=[("net", "plant-nat", None)], vnc=5904),
  ]),
  dict(file="mes-core.xml", idx=4, label="MES core", area="Core services", line="",
       cpu=dict(mhz=2800, nodes=2, sockets=1, cores=16, threads=2), mem_gib=256,
       subnet=10, alloc_scale=0.75, ot=False, ovs=None, backbone="br-core",
       domains=[
    vm("mes-app-01", 8, 16384, "running", "ops", None, "MES application server 1",
       disks=[("mes-app-01.qcow2", "vda", "virtio", 60, 16, "qcow2")],
       nics=[("br", "br-core", None, False), ("net", "plant-nat", None)], vnc=5901),
    vm("mes-app-02", 8, 16384, "running", "ops", None, "MES application server 2",
       disks=[("mes-app-02.qcow2", "vda", "virtio", 60, 15, "qcow2")],
       nics=[("br", "br-core", None, False), ("net", "plant-nat", None)], vnc=5902),
    vm("historian-db", 8, 16384, "running", "ops", None, "Plant historian database",
       disks=[("historian-db.qcow2", "vda", "virtio", 40, 8, "qcow2"),
              ("historian-db-data.qcow2", "vdb", "virtio", 200, 30, "qcow2")],
       nics=[("br", "br-core", None, False)], cur_mem=12288),
    ct("erp-connector", 2, 2048, "running", "ops", None, "ERP connector (SAP IDoc)",
       init="/usr/local/bin/erp-connector", initargs=["--profile", "/etc/erp/sap.ini"],
       mounts=[("/srv/millwright/erp-connector", "/etc/erp", True)],
       nics=[("net", "plant-backbone", None)]),
    ct("reporting-svc", 2, 4096, "running", "ops", None, "Shift reports",
       nics=[("net", "plant-backbone", None)]),
    ct("flexlm-license", 1, 512, "running", "design", None, "CAD licence server",
       init="/opt/flexlm/lmgrd", initargs=["-z", "-c", "/opt/flexlm/licenses"],
       nics=[("net", "plant-nat", None)]),
    vm("mes-app-staging", 4, 8192, "shutoff", "test", None, "MES staging",
       disks=[("mes-app-staging.qcow2", "vda", "virtio", 60, 10, "qcow2")],
       nics=[("net", "plant-nat", None)], vnc=-1),
    vm("mes-dev-01", 4, 8192, "paused", "dev", None, "MES development VM",
       disks=[("mes-dev-01.qcow2", "vda", "virtio", 40, 8, "qcow2")],
       cdrom=("debian-12.9.0-amd64-netinst.iso", "sda"),
       nics=[("net", "plant-nat", None)], vnc=5903, spice=5913),
    vm("backup-proxy", 2, 4096, "running", None, None, "Backup proxy (vendor appliance)",
       disks=[("backup-proxy.qcow2", "vda", "virtio", 20, 4, "qcow2")],
       nics=[("br", "br-core", None, False)]),
  ]),
]

def mac(h, d, n):
    return "52:54:00:%02x:%02x:%02x" % (h, d, n)

def meta(host, d, ind):
    p = " " * ind
    lines = [p + "<metadata>",
             p + '  <mw:domain xmlns:mw="http://millwright.local/xmlns/domain/1">']
    if d["ws"]:
        lines.append(p + "    <mw:workspace>%s</mw:workspace>" % d["ws"])
    tags = [("plant", PLANT), ("area", host["area"])]
    if host["line"]:
        tags.append(("line", host["line"]))
    if d["cell"]:
        tags.append(("cell", d["cell"]))
    for k, v in tags:
        lines.append(p + '    <mw:tag key="%s">%s</mw:tag>' % (k, escape(v)))
    lines += [p + "  </mw:domain>", p + "</metadata>"]
    return lines

def nic_xml(host, d, di, ni, n, is_vm, win):
    p = " " * 6
    out = []
    if n[0] == "net":
        out.append(p + "<interface type='network'>")
        out.append(p + "  <mac address='%s'/>" % mac(host["idx"], di, ni))
        src = "<source network='%s'" % n[1]
        if n[2]:
            src += " portgroup='%s'" % n[2]
        out.append(p + "  " + src + "/>")
    else:
        out.append(p + "<interface type='bridge'>")
        out.append(p + "  <mac address='%s'/>" % mac(host["idx"], di, ni))
        out.append(p + "  <source bridge='%s'/>" % n[1])
        if n[2]:
            out.append(p + "  <vlan>")
            out.append(p + "    <tag id='%d'/>" % n[2])
            out.append(p + "  </vlan>")
        if n[3]:
            out.append(p + "  <virtualport type='openvswitch'>")
            out.append(p + "    <parameters interfaceid='%s'/>" % uid(host["file"], d["name"], "nic", str(ni)))
            out.append(p + "  </virtualport>")
    if is_vm:
        out.append(p + "  <model type='%s'/>" % ("e1000e" if win else "virtio"))
    out.append(p + "</interface>")
    return out

def graphics(kind, port):
    p = " " * 6
    if port == -1:
        return [p + "<graphics type='%s' autoport='yes' listen='0.0.0.0'>" % kind,
                p + "  <listen type='address' address='0.0.0.0'/>", p + "</graphics>"]
    return [p + "<graphics type='%s' port='%d' autoport='no' listen='0.0.0.0'>" % (kind, port),
            p + "  <listen type='address' address='0.0.0.0'/>", p + "</graphics>"]

def domain_xml(host, di, d):
    is_vm = d["kind"] == "vm"
    win = is_vm and d["os"] == "windows"
    L = []
    L.append("  <domain type='%s' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>" % ("kvm" if is_vm else "lxc"))
    L.append("    <name>%s</name>" % d["name"])
    L.append("    <uuid>%s</uuid>" % uid(host["file"], d["name"]))
    if d["title"]:
        L.append("    <title>%s</title>" % escape(d["title"]))
    L += meta(host, d, 4)
    L.append("    <memory unit='KiB'>%d</memory>" % (d["mem"] * 1024))
    L.append("    <currentMemory unit='KiB'>%d</currentMemory>" % ((d.get("cur_mem") or d["mem"]) * 1024))
    L.append("    <vcpu placement='static'>%d</vcpu>" % d["vcpu"])
    if is_vm:
        L.append("    <os>")
        L.append("      <type arch='x86_64' machine='%s'>hvm</type>" % d["machine"])
        L.append("      <boot dev='hd'/>")
        if d["cdrom"]:
            L.append("      <boot dev='cdrom'/>")
        L.append("    </os>")
        L.append("    <features>")
        L.append("      <acpi/>")
        L.append("      <apic/>")
        if win:
            L += ["      <hyperv mode='custom'>", "        <relaxed state='on'/>", "        <vapic state='on'/>",
                  "        <spinlocks state='on' retries='8191'/>", "      </hyperv>"]
        L.append("    </features>")
        L.append("    <cpu mode='host-passthrough' check='none' migratable='on'/>")
        if win:
            L += ["    <clock offset='localtime'>", "      <timer name='rtc' tickpolicy='catchup'/>",
                  "      <timer name='pit' tickpolicy='delay'/>", "      <timer name='hpet' present='no'/>",
                  "      <timer name='hypervclock' present='yes'/>", "    </clock>"]
        else:
            L += ["    <clock offset='utc'>", "      <timer name='rtc' tickpolicy='catchup'/>",
                  "      <timer name='pit' tickpolicy='delay'/>", "      <timer name='hpet' present='no'/>", "    </clock>"]
    else:
        L.append("    <os>")
        L.append("      <type arch='x86_64'>exe</type>")
        L.append("      <init>%s</init>" % d["init"])
        for a in d["initargs"]:
            L.append("      <initarg>%s</initarg>" % escape(a))
        L.append("    </os>")
        L.append("    <features>")
        L.append("      <privnet/>")
        L.append("    </features>")
        L.append("    <clock offset='utc'/>")
    L.append("    <on_poweroff>destroy</on_poweroff>")
    L.append("    <on_reboot>restart</on_reboot>")
    L.append("    <on_crash>destroy</on_crash>")
    L.append("    <devices>")
    if is_vm:
        L.append("      <emulator>/usr/bin/qemu-system-x86_64</emulator>")
        for vol, dev, bus, cap, alloc, fmt in d["disks"]:
            L.append("      <disk type='file' device='disk'>")
            L.append("        <driver name='qemu' type='%s'%s/>" % (fmt, "" if fmt == "raw" else " discard='unmap'"))
            L.append("        <source file='/var/lib/libvirt/images/%s'/>" % vol)
            L.append("        <target dev='%s' bus='%s'/>" % (dev, bus))
            L.append("      </disk>")
        if d["cdrom"]:
            iso, dev = d["cdrom"]
            L += ["      <disk type='file' device='cdrom'>", "        <driver name='qemu' type='raw'/>",
                  "        <source file='/var/lib/libvirt/iso/%s'/>" % iso,
                  "        <target dev='%s' bus='sata'/>" % dev, "        <readonly/>", "      </disk>"]
    else:
        L += ["      <emulator>/usr/lib/libvirt/libvirt_lxc</emulator>",
              "      <filesystem type='mount' accessmode='passthrough'>",
              "        <source dir='/var/lib/lxc/%s/rootfs'/>" % d["name"],
              "        <target dir='/'/>", "      </filesystem>"]
        for src, tgt, ro in d["mounts"]:
            L += ["      <filesystem type='mount' accessmode='passthrough'>",
                  "        <source dir='%s'/>" % src, "        <target dir='%s'/>" % tgt]
            if ro:
                L.append("        <readonly/>")
            L.append("      </filesystem>")
    for ni, n in enumerate(d["nics"], 1):
        L += nic_xml(host, d, di, ni, n, is_vm, win)
    if is_vm:
        L += ["      <serial type='pty'>", "        <target port='0'/>", "      </serial>"]
    L += ["      <console type='pty'>", "        <target type='serial' port='0'/>", "      </console>"]
    if is_vm and not win:
        L += ["      <channel type='unix'>", "        <target type='virtio' name='org.qemu.guest_agent.0'/>",
              "      </channel>"]
    if is_vm:
        if win:
            L.append("      <input type='tablet' bus='usb'/>")
        if d["vnc"] is not None:
            L += graphics("vnc", d["vnc"])
        if d["spice"] is not None:
            L += graphics("spice", d["spice"])
        if d["vnc"] is not None or d["spice"] is not None:
            L += ["      <video>", "        <model type='%s'/>" % ("qxl" if (win or d["spice"] is not None) else "virtio"),
                  "      </video>"]
        L.append("      <memballoon model='virtio'/>")
    L.append("    </devices>")
    L.append("    <test:runstate>%d</test:runstate>" % STATE[d["state"]])
    L.append("  </domain>")
    return L

def networks(host):
    h, s = host["idx"], host["subnet"]
    L = []
    L += ["  <network>", "    <name>plant-nat</name>", "    <uuid>%s</uuid>" % uid(host["file"], "net", "plant-nat"),
          "    <forward mode='nat'>", "      <nat>", "        <port start='1024' end='65535'/>", "      </nat>",
          "    </forward>", "    <bridge name='virbr0' stp='on' delay='0'/>",
          "    <mac address='52:54:00:%02x:fe:00'/>" % h,
          "    <domain name='%s.plant.local' localOnly='yes'/>" % host["file"][:-4],
          "    <ip address='10.20.%d.1' netmask='255.255.255.0'>" % s, "      <dhcp>",
          "        <range start='10.20.%d.100' end='10.20.%d.199'/>" % (s, s)]
    # static leases for the first two running VMs on plant-nat
    n = 0
    for di, d in enumerate(host["domains"], 1):
        for ni, nic in enumerate(d["nics"], 1):
            if nic[0] == "net" and nic[1] == "plant-nat" and d["kind"] == "vm" and n < 2:
                n += 1
                L.append("        <host mac='%s' name='%s' ip='10.20.%d.%d'/>" % (mac(h, di, ni), d["name"], s, 10 + n))
    L += ["      </dhcp>", "    </ip>", "  </network>"]
    if host.get("ot"):
        L += ["  <network>", "    <name>ot-isolated</name>", "    <uuid>%s</uuid>" % uid(host["file"], "net", "ot-isolated"),
              "    <bridge name='virbr1' stp='on' delay='0'/>", "    <mac address='52:54:00:%02x:fe:01'/>" % h,
              "    <ip address='10.30.%d.1' netmask='255.255.255.0'>" % s, "    </ip>", "  </network>"]
    if host.get("ovs"):
        L += ["  <network>", "    <name>line-br</name>", "    <uuid>%s</uuid>" % uid(host["file"], "net", "line-br"),
              "    <forward mode='bridge'/>", "    <bridge name='%s'/>" % host["ovs"],
              "    <vlan>", "      <tag id='%d'/>" % host["vlan"], "    </vlan>",
              "    <virtualport type='openvswitch'/>"]
        for i, (pg, tag) in enumerate(host["pgs"]):
            L += ["    <portgroup name='%s'%s>" % (pg, " default='yes'" if i == 0 else ""),
                  "      <vlan>", "        <tag id='%d'/>" % tag, "      </vlan>", "    </portgroup>"]
        L.append("  </network>")
    if host.get("backbone"):
        L += ["  <network>", "    <name>plant-backbone</name>", "    <uuid>%s</uuid>" % uid(host["file"], "net", "plant-backbone"),
              "    <forward mode='bridge'/>", "    <bridge name='%s'/>" % host["backbone"], "  </network>"]
    return L

def pools(host):
    L = []
    vols, isos = [], set()
    for d in host["domains"]:
        if d["kind"] == "vm":
            vols += d["disks"]
            if d["cdrom"]:
                isos.add(d["cdrom"][0])
    isos.add("debian-12.9.0-amd64-netinst.iso")
    total = sum(v[4] for v in vols)
    assert total < 100, (host["file"], total)  # test driver pools are always 100 GiB
    assert sum(ISOS[i] for i in isos) / 1024 < 100
    L += ["  <pool type='dir'>", "    <name>default</name>", "    <uuid>%s</uuid>" % uid(host["file"], "pool", "default"),
          "    <source>", "    </source>", "    <target>", "      <path>/var/lib/libvirt/images</path>",
          "      <permissions>", "        <mode>0711</mode>", "        <owner>0</owner>", "        <group>0</group>",
          "      </permissions>", "    </target>"]
    vols = [(v[0], v[1], v[2], v[3], max(2, round(v[4] * host.get("alloc_scale", 1.0))), v[5]) for v in vols]
    total = sum(v[4] for v in vols)
    print("  %s default pool allocation %d GiB of 100" % (host["file"], total))
    for vol, dev, bus, cap, alloc, fmt in vols:
        L += ["    <volume type='file'>", "      <name>%s</name>" % vol,
              "      <capacity unit='GiB'>%d</capacity>" % cap, "      <allocation unit='GiB'>%d</allocation>" % alloc,
              "      <target>", "        <format type='%s'/>" % fmt, "      </target>", "    </volume>"]
    L.append("  </pool>")
    L += ["  <pool type='dir'>", "    <name>iso</name>", "    <uuid>%s</uuid>" % uid(host["file"], "pool", "iso"),
          "    <source>", "    </source>", "    <target>", "      <path>/var/lib/libvirt/iso</path>",
          "      <permissions>", "        <mode>0755</mode>", "        <owner>0</owner>", "        <group>0</group>",
          "      </permissions>", "    </target>"]
    for iso in sorted(isos):
        L += ["    <volume type='file'>", "      <name>%s</name>" % iso,
              "      <capacity unit='MiB'>%d</capacity>" % ISOS[iso], "      <allocation unit='MiB'>%d</allocation>" % ISOS[iso],
              "      <target>", "        <format type='iso'/>", "      </target>", "    </volume>"]
    L.append("  </pool>")
    return L

def host_xml(host):
    c = host["cpu"]
    L = ["<?xml version='1.0' encoding='UTF-8'?>",
         "<!-- Millwright demo plant: %s (%s). Fake host for libvirt's test driver:" % (host["label"], host["area"]),
         "       virsh -c test:///ABSOLUTE/PATH/TO/%s dominfo NAME   (more in demo/README.md)" % host["file"],
         "     Domain run state is <test:runstate>: 1 running, 3 paused, 5 shut off. -->",
         "<node>",
         "  <cpu>", "    <mhz>%d</mhz>" % c["mhz"], "    <model>x86_64</model>",
         "    <nodes>%d</nodes>" % c["nodes"], "    <sockets>%d</sockets>" % c["sockets"],
         "    <cores>%d</cores>" % c["cores"], "    <threads>%d</threads>" % c["threads"], "  </cpu>",
         "  <memory>%d</memory>" % (host["mem_gib"] * 1024 * 1024)]
    for di, d in enumerate(host["domains"], 1):
        L += domain_xml(host, di, d)
    L += networks(host)
    L += pools(host)
    L.append("</node>")
    return "\n".join(L) + "\n"

os.makedirs(OUT, exist_ok=True)
for h in HOSTS:
    with open(os.path.join(OUT, h["file"]), "w") as f:
        f.write(host_xml(h))
    print(h["file"], len(h["domains"]))
