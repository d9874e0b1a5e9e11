"""Drives the bilevel-csharp kernel through jupyter_client and prints measurements as one JSON object.

Run by KernelBehaviourTests, which asserts on the numbers: survival after a throwing cell, a cell that does not
compile and an interrupted infinite loop; the latency of the first streamed line; display updates; JSON MIME values.
"""
import json
import sys
import threading
import time

from jupyter_client.manager import start_new_kernel

results = {}
km, kc = start_new_kernel(kernel_name="bilevel-csharp", startup_timeout=120)


def run(code, timeout=60, on_message=None):
    start = time.monotonic()
    msg_id = kc.execute(code)
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        msg["_t"] = time.monotonic() - start
        messages.append(msg)
        if on_message:
            on_message(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    return reply["content"], messages


def result_text(messages):
    for m in messages:
        if m["msg_type"] == "execute_result":
            return m["content"]["data"]["text/plain"]
    return None


try:
    run("var warm = 1;")

    reply, _ = run('throw new InvalidOperationException("boom");')
    results["throw_status"] = reply["status"]
    results["throw_ename"] = reply.get("ename")
    reply, messages = run("warm + 1")
    results["after_throw"] = result_text(messages)

    reply, _ = run("int broken = ;\nvar alsoBroken = undefinedName;")
    results["compile_status"] = reply["status"]
    results["compile_traceback"] = reply.get("traceback")
    reply, messages = run("warm + 2")
    results["after_compile_error"] = result_text(messages)

    timer = threading.Timer(1.0, lambda: km.interrupt_kernel())
    timer.start()
    started = time.monotonic()
    reply, _ = run("while (true) { }", timeout=30)
    results["loop_status"] = reply["status"]
    results["loop_ename"] = reply.get("ename")
    results["loop_seconds"] = time.monotonic() - started
    reply, messages = run("warm + 3")
    results["after_interrupt"] = result_text(messages)

    first = {}

    def note(msg):
        if msg["msg_type"] == "stream" and "t" not in first:
            first["t"] = msg["_t"]

    reply, messages = run(
        'for (var i = 0; i < 5; i++) { Console.WriteLine($"tick {i}"); Thread.Sleep(1000); }', on_message=note)
    results["stream_first_seconds"] = first.get("t")
    results["stream_text"] = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    results["stream_cell_seconds"] = messages[-1]["_t"]

    reply, messages = run('var handle = display("first"); handle.Update("second");')
    results["display_types"] = [m["msg_type"] for m in messages if "display" in m["msg_type"]]
    ids = [m["content"]["transient"]["display_id"] for m in messages if "display" in m["msg_type"]]
    results["display_same_id"] = len(ids) == 2 and ids[0] == ids[1]

    reply, messages = run('var figure = new Figure("json"); figure.AddLine("a", new[] { 1.0, 2 }, new[] { 3.0, 4 }); figure')
    data = [m for m in messages if m["msg_type"] == "execute_result"][0]["content"]["data"]
    results["plotly_is_object"] = isinstance(data.get("application/vnd.plotly.v1+json"), dict)
    results["plotly_traces"] = len(data["application/vnd.plotly.v1+json"]["data"])

    reply, messages = run("#!csharp\nvar polyglot = 5;\npolyglot * 2")
    results["polyglot"] = result_text(messages)

    reply, messages = run("Console.ReadLine()")
    results["stdin_status"] = reply["status"]

    # A message signed with the wrong key is dropped (and logged); the kernel keeps answering good ones.
    from jupyter_client.session import Session
    forged = Session(key=b"not-the-key", username="intruder")
    forged.send(kc.shell_channel.socket, "kernel_info_request", {})
    try:
        kc.get_shell_msg(timeout=2)
        results["forged_answered"] = True
    except Exception:
        results["forged_answered"] = False
    kc.kernel_info()
    results["after_forged"] = kc.get_shell_msg(timeout=10)["msg_type"]

    # Restart: a new process with a fresh state.
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=120)
    reply, messages = run("warm")
    results["after_restart_status"] = reply["status"]
    reply, messages = run("1 + 1")
    results["after_restart_value"] = result_text(messages)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    results["alive_at_end"] = True

json.dump(results, sys.stdout)
