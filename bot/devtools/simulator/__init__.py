"""Local QwenCloud simulator (stdlib only; imports nothing from the rest of `bot`)."""

from bot.devtools.simulator.server import SimulatorHandle, build_state, start_simulator

__all__ = ["SimulatorHandle", "build_state", "start_simulator"]
