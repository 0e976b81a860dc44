"""A websocket app for tests/visualizer/test_wire.py, served by Daphne or called in process.

Each text it receives lists what to write, in order and without yielding in between: `w:<text>`
directly (visualizer/wire.py), `s:<text>` through the ASGI send, `big` directly a text over
SendInParts' size. Then it sends, through the ASGI send, a report of what each direct write answered.
"""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")
django.setup()

from visualizer.fanout import Push  # noqa: E402
from visualizer.framing import PART_SIZE  # noqa: E402
from visualizer.wire import WRITE_SCOPE_KEY, DirectWrites  # noqa: E402


async def writer(scope: dict, receive, send) -> None:
    write = scope[WRITE_SCOPE_KEY]
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif event["type"] == "websocket.disconnect":
            return
        elif event["type"] == "websocket.receive":
            answers = []
            for step in event["text"].split():
                if step.startswith("s:"):
                    await send({"type": "websocket.send", "text": step[2:]})
                elif write is not None:
                    answers.append(write(Push("x" * (PART_SIZE + 1) if step == "big" else step[2:])))
            await send({"type": "websocket.send", "text": json.dumps({"direct": write is not None,
                                                                       "answers": answers})})


application = DirectWrites(writer)
