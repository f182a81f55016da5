#!/usr/bin/env python3
"""Where the CPU went during one benchmark scenario, per request: PostgreSQL's processes, the
server's, and everything else on the machine. Standard library only; Linux /proc.

    bench/cpu.py snap FILE SERVER_PID        # before the scenario
    bench/cpu.py diff FILE SERVER_PID N      # after it, N requests: prints the split
"""
import json
import os
import sys


def ticks():
    """CPU ticks (user + system) of every live process, by its command name."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[pid] = (comm, int(fields[11]) + int(fields[12]))
    return out


def total():
    """Busy ticks of the whole machine (every CPU, all but idle and iowait)."""
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    return sum(cpu) - cpu[3] - cpu[4]


def main():
    cmd, path, server = sys.argv[1], sys.argv[2], sys.argv[3]
    if cmd == "snap":
        with open(path, "w") as f:
            json.dump({"procs": ticks(), "total": total()}, f)
        return
    with open(path) as f:
        before = json.load(f)
    requests = float(sys.argv[4])
    after = ticks()
    hz = os.sysconf("SC_CLK_TCK")

    def spent(select):
        t = 0
        for pid, (comm, now) in after.items():
            if select(pid, comm):
                t += now - before["procs"].get(pid, [comm, 0])[1]
        return t

    per = lambda t: t / hz * 1e6 / requests
    pg = spent(lambda pid, comm: comm.startswith("postgres"))
    srv = spent(lambda pid, comm: pid == server)
    busy = total() - before["total"]
    print(f"   cpu per request: postgres {per(pg):.1f} us, server {per(srv):.1f} us, "
          f"rest (load generator, kernel) {per(busy - pg - srv):.1f} us")


if __name__ == "__main__":
    main()
