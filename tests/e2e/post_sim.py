#!/usr/bin/env python3
"""post_sim.py: `kiosk post-sim` from the kiosk's end of its pty.

A small kiosk written here from frame.h (not the C codec, so the two are
checked against each other): it hears the post's boot frame and heartbeats,
sends its own heartbeats and acks, and checks that every command of the
post-sim language does what it says on the wire: events after their debounce,
each fault frame rejected and counted by its kind, link loss when unplugged,
and clear errors for bad lines and bad arguments.

usage: post_sim.py KIOSK
"""
import os
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty
import queue

START, MAX_PAYLOAD, OVERHEAD, GAP = 0xA5, 16, 6, 0.050
FT_ACK, FT_HEARTBEAT, FT_BOOT, FT_EVENT, FT_LAMP = 0x01, 0x02, 0x03, 0x10, 0x20
SYNC = 0x80
ST_LEN = 9


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def frame(seq, ftype, payload):
    body = bytes([len(payload), seq, ftype]) + bytes(payload)
    c = crc16(body)
    return bytes([START]) + body + bytes([c >> 8, c & 0xFF])


class Kiosk:
    """The kiosk's receiver and link, just enough: counts what it rejects."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""
        self.last = 0.0
        self.errors = {"crc": 0, "truncated": 0, "oversize": 0, "duplicate": 0, "out_of_order": 0}
        self.frames = queue.Queue()
        self.rx_last = None
        self.lock = threading.Lock()
        self.running = True
        self.lamp = 1
        self.deaf = False

    def write(self, b):
        with self.lock:
            os.write(self.fd, b)

    def byte(self, b, now):
        if self.buf and now - self.last >= GAP:
            self.errors["truncated"] += 1
            self.buf = b""
        self.last = now
        if not self.buf:
            if b == START:
                self.buf = bytes([b])
            return
        if len(self.buf) == 1 and b > MAX_PAYLOAD:
            self.errors["oversize"] += 1
            self.buf = b""
            return
        self.buf += bytes([b])
        n = self.buf[1] + OVERHEAD
        if len(self.buf) < n:
            return
        f, self.buf = self.buf, b""
        if crc16(f[1:n - 2]) != (f[n - 2] << 8 | f[n - 1]):
            self.errors["crc"] += 1
            return
        self.on_frame(f[2], f[3], f[4:n - 2])

    def on_frame(self, seq, ftype, payload):
        if seq:
            sync = ftype & SYNC
            ftype &= ~SYNC
            if self.rx_last is not None and seq == self.rx_last:
                self.errors["duplicate"] += 1
                self.write(frame(0, FT_ACK, [seq]))
                return
            nxt = 1 if self.rx_last in (None, 255) else self.rx_last + 1
            if self.rx_last is not None and not sync and seq != nxt:
                self.errors["out_of_order"] += 1
                return
            self.rx_last = seq
            self.write(frame(0, FT_ACK, [seq]))
        self.frames.put((seq, ftype, bytes(payload), time.monotonic()))

    def run(self):
        hb = 0.0
        while self.running:
            now = time.monotonic()
            if now - hb >= 1.0:
                hb = now
                self.write(frame(0, FT_HEARTBEAT, [self.lamp]))
            try:
                data = os.read(self.fd, 256)
            except BlockingIOError:
                data = b""
            now = time.monotonic()
            if self.buf and now - self.last >= GAP:
                self.errors["truncated"] += 1
                self.buf = b""
            for b in data:
                self.byte(b, now)
            if not data:
                time.sleep(0.002)

    def next_frame(self, ftype, timeout=3.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                f = self.frames.get(timeout=end - time.monotonic())
            except queue.Empty:
                break
            if f[1] == ftype:
                return f
        raise AssertionError(f"no frame of type {ftype:#x} within {timeout} s")


class Sim:
    def __init__(self, kiosk, args):
        self.p = subprocess.Popen([kiosk, "post-sim"] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip("\n"))

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def expect(self, want, timeout=5.0):
        """The next line starting with want (other lines skipped and returned)."""
        end = time.monotonic() + timeout
        skipped = []
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if line.startswith(want):
                return line, skipped
            skipped.append(line)
        raise AssertionError(f"no line {want!r} within {timeout} s; saw {skipped}")


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def counters(sim):
    sim.send("status")
    line, _ = sim.expect("counters ")
    return dict(kv.split("=") for kv in line.split()[1:])


def main():
    kiosk_bin = sys.argv[1]
    # bad arguments: exit 2 and a clear message
    for args, msg in ((["--bogus"], "unknown option --bogus"), (["extra"], 'unexpected argument "extra"'),
                      (["--seed", "x"], "--seed x: not a number"), (["--link"], "--link needs a path")):
        r = subprocess.run([kiosk_bin, "post-sim"] + args, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        check(r.returncode == 2 and msg in r.stderr, f"post-sim {' '.join(args)}: exit 2, \"{msg}\"")

    tmp = tempfile.mkdtemp()
    link = os.path.join(tmp, "post")
    sim = Sim(kiosk_bin, ["--link", link, "--seed", "7"])
    first = sim.lines.get(timeout=5)
    check(first.startswith("pty /dev/pts/"), f"first line is the pty: {first}")
    pty = first.split()[1]
    check(os.readlink(link) == pty, "--link points at it")
    sim.expect("lamp fault")

    fd = os.open(link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd, termios.TCSANOW)
    k = Kiosk(fd)
    threading.Thread(target=k.run, daemon=True).start()

    sim.expect("link up")
    sim.expect("lamp listening")
    hb = k.next_frame(FT_HEARTBEAT)
    check(len(hb[2]) == ST_LEN, "the post's heartbeat carries ST_LEN bytes")

    t0 = time.monotonic()
    sim.send("arrive")
    sim.expect("sent loop 1")
    ev = k.next_frame(FT_EVENT)
    dt = ev[3] - t0
    check(ev[2] == bytes([1, 1]) and 0.45 <= dt < 1.5, f"arrive: PE_LOOP 1 after the 500 ms debounce ({dt:.3f} s)")
    for cmd, want, payload in (("help", "sent help 1", [2, 1]), ("talk down", "sent talk 1", [3, 1]),
                               ("talk up", "sent talk 0", [3, 0]), ("crew on", "sent crew 1", [4, 1]),
                               ("crew off", "sent crew 0", [4, 0])):
        sim.send(cmd)
        sim.expect(want)
        ev = k.next_frame(FT_EVENT)
        check(ev[2] == bytes(payload), f"{cmd}: {want}, FT_EVENT {payload}")
    time.sleep(1.2)
    hb = k.next_frame(FT_HEARTBEAT)
    check(hb[2][0] == 1 and hb[2][1] == 1, "heartbeat: inputs = loop only, lamp listening")

    # each fault, counted by its kind at the kiosk
    for cmd, kind in (("corrupt", "crc"), ("truncate", "truncated"), ("replay", "duplicate"),
                      ("out-of-order", "out_of_order"), ("oversize", "oversize")):
        before = dict(k.errors)
        sim.send(cmd)
        sim.expect("injected " + cmd)
        time.sleep(0.3)
        check(k.errors[kind] == before[kind] + 1, f"{cmd}: the kiosk counted one {kind}")
        others = {e: k.errors[e] - before[e] for e in k.errors if e != kind and k.errors[e] != before[e]}
        check(not others, f"{cmd}: and nothing else ({others})")
    sim.send("garbage 40")
    sim.expect("injected garbage 40")
    # the post still gets its events through after all that
    sim.send("leave")
    sim.expect("sent loop 0", timeout=4)
    ev = k.next_frame(FT_EVENT)
    check(ev[2] == bytes([1, 0]), "leave: PE_LOOP 0 after 2 s absent, through the damage")

    # the kiosk's bad frames, counted by the post
    k.write(frame(0, FT_HEARTBEAT, [1])[:-1] + b"\x00")
    time.sleep(0.1)
    k.write(bytes([START, 17]))
    time.sleep(0.1)
    c = counters(sim)
    check(c["crc"] == "1" and c["oversize"] == "1", f"status: the post counted a CRC error and an oversize ({c})")
    check(set(c) == {"crc", "truncated", "oversize", "duplicate", "out_of_order", "retransmit", "gave_up",
                     "queue_full", "unknown"}, "status names every counter")
    # a lamp command, reliable
    k.lamp = 3
    k.write(frame(1, FT_LAMP | SYNC, [3]))
    sim.expect("lamp crew_talking")

    # bad lines: an error each, and the post carries on
    for line, msg in (("fly", 'error: unknown command "fly"'), ("talk sideways", 'error: talk takes down or up, not "sideways"'),
                      ("garbage", "error: garbage takes a byte count"), ("garbage 0", "error: garbage takes a byte count, 1 to 4096, not \"0\""),
                      ("arrive now", "error: arrive takes nothing after it")):
        sim.send(line)
        got, _ = sim.expect("error: ")
        check(got.startswith(msg), f"{line!r}: {got}")

    # unplugged: link down at 3 s, the fault lamp; plugged: back
    t0 = time.monotonic()
    sim.send("unplug")
    sim.expect("unplugged")
    sim.expect("link down", timeout=5)
    dt = time.monotonic() - t0
    check(2.0 <= dt <= 4.0, f"unplug: link down after {dt:.1f} s")
    sim.expect("lamp fault")
    sim.send("plug")
    sim.expect("link up", timeout=3)
    sim.expect("lamp crew_talking")

    sim.send("quit")
    check(sim.p.wait(timeout=5) == 0, "quit: exit 0")
    check(not os.path.lexists(link), "the --link is removed")
    k.running = False
    print("kiosk's receive counts:", k.errors)
    print("post_sim.py: passed")


if __name__ == "__main__":
    main()
