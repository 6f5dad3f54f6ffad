"""The probe engine: checks, scheduler, spool and remote agent, in plain asyncio.

It runs inside the server and on remote agent hosts, so nothing here imports Django.
Modules: :mod:`.specs` (MonitorSpec, Outcome), :mod:`.checks` (run_check, CheckContext),
:mod:`.engine` (Engine), :mod:`.spool` (Spool), :mod:`.agent` (Agent, run_agent).
"""
