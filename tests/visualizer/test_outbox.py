"""A socket's Outbox: messages go out in order, wait while the server holds too much unsent, and
past its bounds the Outbox empties and the socket is closed (code 4008)."""

import asyncio

from visualizer.fanout import Push
from visualizer.outbox import Outbox


def make(sent: list, closed: list, backlog: list[int], **bounds) -> Outbox:
    async def send(message: dict) -> None:
        sent.append(message["text"])

    async def overflow() -> None:
        closed.append(True)

    options = {"max_messages": 3, "max_bytes": 100, "server_buffer": 10, **bounds}
    return Outbox(send, backlog=lambda: backlog[0], on_overflow=overflow, label="test", **options)


def msg(text: str) -> dict:
    return {"type": "websocket.send", "text": text}


async def test_messages_go_out_in_order():
    sent, closed, backlog = [], [], [0]
    box = make(sent, closed, backlog)
    box.start()
    for text in "abc":
        box.put(msg(text), 1)
    await asyncio.sleep(0.05)
    assert sent == ["a", "b", "c"] and not closed
    await box.stop()


async def test_a_full_server_buffer_holds_messages_back_then_the_bound_closes():
    sent, closed, backlog = [], [], [50]  # the client is not reading
    box = make(sent, closed, backlog)
    box.start()
    for text in "abc":
        box.put(msg(text), 1)
    await asyncio.sleep(0.2)
    assert sent == [] and len(box) == 3
    backlog[0] = 0  # it reads again
    await asyncio.sleep(0.2)
    assert sent == ["a", "b", "c"]
    backlog[0] = 50
    for text in "defg":  # one more than max_messages
        box.put(msg(text), 1)
    await asyncio.sleep(0.1)
    assert closed == [True] and len(box) == 0 and box.queued_bytes == 0
    box.put(msg("h"), 1)  # nothing more is kept
    assert len(box) == 0
    await box.stop()


async def test_the_byte_bound():
    sent, closed, backlog = [], [], [50]
    box = make(sent, closed, backlog, max_messages=100)
    box.start()
    box.put(msg("big"), 60)
    box.put(msg("bigger"), 60)
    await asyncio.sleep(0.1)
    assert closed == [True] and sent == []
    await box.stop()


async def test_an_offer_goes_out_at_once_only_when_nothing_waits_before_it():
    sent, closed, backlog = [], [], [0]
    box = make(sent, closed, backlog)
    box.start()
    send = box.offer(Push("a"))  # nothing queued, room on the server: the relay sends it
    assert send is not None and len(box) == 0
    await send(msg("a"))

    box.put(msg("b"), 1)  # queued (a catch-up, say): an offer now waits behind it
    assert box.offer(Push("c")) is None and len(box) == 2
    await asyncio.sleep(0.05)
    assert sent == ["a", "b", "c"]

    backlog[0] = 50  # the client stopped reading: offers queue
    assert box.offer(Push("d")) is None and len(box) == 1
    backlog[0] = 0
    await asyncio.sleep(0.1)
    assert sent == ["a", "b", "c", "d"] and not closed
    await box.stop()


async def test_an_offer_the_server_takes_directly_is_not_sent_again():
    sent, closed, backlog, written = [], [], [0], []
    box = make(sent, closed, backlog)
    box._write_now = lambda push: written.append(push.text) or push.text != "refused"
    box.start()
    assert box.offer(Push("a")) is None and written == ["a"]  # written by the server: nothing to send
    send = box.offer(Push("refused"))  # the server could not take it: the ASGI send is the way
    assert send is not None and written == ["a", "refused"]
    box.put(msg("b"), 1)  # waiting: an offer queues behind it, never written past it
    assert box.offer(Push("c")) is None and written == ["a", "refused"]
    await asyncio.sleep(0.05)
    assert sent == ["b", "c"] and not closed
    await box.stop()
