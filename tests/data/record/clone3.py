# clone3.py - a thread (glibc 2.34+ makes it with clone3), then, given an
# argument, clone3 and clone asking for a new user namespace: what a profile
# recorded from the plain run must refuse (tests/suites/record.sh).
import ctypes, os, sys, threading

libc = ctypes.CDLL(None, use_errno=True)
t = threading.Thread(target=lambda: None)
t.start()
t.join()
if len(sys.argv) > 1:
    args = (ctypes.c_uint64 * 11)()
    args[0] = 0x10000000  # CLONE_NEWUSER
    args[4] = 17  # exit_signal SIGCHLD
    calls = (("clone3", lambda: libc.syscall(435, ctypes.byref(args), 88)),
             ("clone", lambda: libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0)))
    for name, call in calls:
        ret = call()
        if ret == 0:
            os._exit(0)
        print(name, "made a user namespace" if ret > 0 else os.strerror(ctypes.get_errno()))
print("done")
