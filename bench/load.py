"""Simulated users: closed-loop throughput and open-loop latency, for the quiz and the floor."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.fake import BenchTelegram
from tests.fakebot import Call

FEEDBACK_MARKS = ("✅", "❌")
END_MARKS = ("🏁", "⏹")
RIGHT_ANSWERS = 0.7  # share of answers a simulated learner gets right
DRAIN_SECONDS = 20.0  # how long to wait for the bot to catch up after a phase
STARTUP_SECONDS = 60.0  # how long every user may take to get a first question


@dataclass
class Answered:
    """One update a user sent, and when the reply it waits for reached the server."""

    update_id: int
    sent_at: float
    reply_at: float | None = None


@dataclass
class Player:
    """A simulated user; `act` sends its next update when it has something to answer."""

    fake: BenchTelegram
    user_id: int
    log: list[Answered]
    eager: bool = False  # closed loop: act as soon as a prompt arrives
    ready: bool = False  # a prompt is waiting for this user's answer
    waiting: Answered | None = None
    done: bool = False
    answers: int = 0  # updates sent
    sends: int = 0  # messages and polls the bot sent to this chat in reply to answers
    starting: bool = False  # a command is waiting for its reply, which is not an answer's
    finished: int = 0  # sessions (quizzes) that ended

    def __post_init__(self) -> None:
        self.user = self.fake.user(self.user_id, f"Learner {self.user_id}")
        self.fake.listeners[self.user_id] = self.on_call

    def on_call(self, call: Call) -> None:
        """React to the bot's call to this user's chat: one call may answer the last update
        and ask the next question (or end the session)."""
        if call.method.startswith("send"):
            if self.starting:
                self.starting = False
            elif self.answers:
                self.sends += 1
        if self.waiting is not None and self.is_reply(call):
            self.waiting.reply_at = call.at
            self.waiting = None
        if self.is_end(call):
            self.finished += 1
            self.done = not self.eager or not self.again()
        elif call.method == "sendPoll":
            self.on_prompt(call)
            self.ready = True
            if self.eager:
                self.act()

    def act(self) -> bool:
        """Send the next update if a prompt is waiting for it; False when not ready."""
        if not self.ready or self.waiting is not None or self.done:
            return False
        self.ready = False
        self.answers += 1
        sample = Answered(self.respond(), time.monotonic())
        self.waiting = sample
        self.log.append(sample)
        return True

    def on_prompt(self, call: Call) -> None:
        """Remember what a prompt asks."""

    def again(self) -> bool:
        """Start another session after one ended (closed loop: the load stays the same);
        False when there is none to start."""
        return False

    def is_reply(self, call: Call) -> bool:
        """Whether the call is the reply the waiting update is timed by."""
        raise NotImplementedError

    def is_end(self, call: Call) -> bool:
        """Whether the call ends this user's session."""
        return False

    def respond(self) -> int:
        """Push the answer update; returns its update id."""
        raise NotImplementedError


@dataclass
class QuizPlayer(Player):
    """A learner: starts a quiz, answers each poll, timed by the verdict (the next poll's
    description, or the summary's message after the last answer)."""

    rng: random.Random = field(default_factory=random.Random)
    poll: Call | None = None
    command: str | None = None

    def start(self, bank_id: str, questions: int) -> None:
        """Ask for a quiz; its first poll makes the player ready."""
        self.command = f"/quiz {bank_id} {questions}"
        self.again()

    def again(self) -> bool:
        """The next quiz, as a learner who finished one starts another."""
        assert self.command is not None
        self.starting = True
        self.user.send(self.command)
        return True

    def on_prompt(self, call: Call) -> None:
        self.poll = call

    def is_reply(self, call: Call) -> bool:
        return _text(call).startswith(FEEDBACK_MARKS)

    def is_end(self, call: Call) -> bool:
        return call.method == "sendMessage" and any(m in _text(call) for m in END_MARKS)

    def respond(self) -> int:
        assert self.poll is not None
        params = self.poll.params
        correct = list(params["correct_option_ids"])
        if self.rng.random() >= RIGHT_ANSWERS:
            correct = [next(i for i in range(len(params["options"])) if i not in correct)]
        return self.user.answer_poll(str(self.poll.result["poll"]["id"]), correct)


@dataclass
class FloorPlayer(Player):
    """A user of the floor bot: a message in, timed by the floor's poll."""

    ready: bool = True  # the floor needs no set-up: the first message is the first "answer"

    def is_reply(self, call: Call) -> bool:
        return call.method == "sendPoll"

    def respond(self) -> int:
        self.user.send("c17b")
        return self.fake.last_update_id


def _text(call: Call) -> str:
    """A message's text, or a poll's description."""
    return str(call.params.get("text") or call.params.get("description") or "")


@dataclass(frozen=True)
class Throughput:
    """Replies counted in the measuring window, and how it went."""

    per_second: float
    replies: int
    window: float
    users: int
    lost: int  # answers still without a reply after the drain
    finished: int  # quizzes that ended inside the run (each user then starts another)
    sends_per_answer: float  # the bot's sends to the users' chats per answer (all the run)


@dataclass(frozen=True)
class Latency:
    """Served-to-reply latencies of an open-loop run, in seconds."""

    samples: list[float]
    sent: int
    skipped: int  # ticks when no user had a question to answer (the bot fell behind)
    lost: int

    def percentile(self, q: float) -> float:
        """The q-quantile (nearest rank) in ms; NaN without samples."""
        if not self.samples:
            return math.nan
        ordered = sorted(self.samples)
        return 1000 * ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def closed_loop(
    players: Sequence[Player],
    log: list[Answered],
    *,
    warmup: float,
    seconds: float,
    kick: Callable[[Player], None],
    edges: Callable[[], None] = lambda: None,
) -> Throughput:
    """Every player answers as soon as it can; count replies over [warmup, warmup+seconds].

    `edges` is called when the measuring window opens and when it closes.
    """
    for player in players:
        player.eager = True
    for player in players:
        kick(player)
    # The warm-up starts once every user is playing: starting 50 quizzes is not steady state.
    await _until(lambda: len(log) >= len(players), STARTUP_SECONDS)
    begin = time.monotonic() + warmup
    end = begin + seconds
    opening = asyncio.get_running_loop().call_later(warmup, edges)
    # Polling a few flags ten times a second costs less than events wired through every user.
    while time.monotonic() < end and not all(p.done for p in players):  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    for player in players:
        player.eager = False
    if time.monotonic() >= begin:
        edges()  # the window closes (its end, or the last quiz's)
    else:
        opening.cancel()  # every quiz ended before the window opened
    last = max((a.reply_at for a in log if a.reply_at is not None), default=begin)
    end = min(end, max(last, begin))  # quizzes that ended early shorten the window
    replies = sum(1 for a in log if a.reply_at is not None and begin <= a.reply_at < end)
    await drain(log)
    return Throughput(
        replies / (end - begin) if end > begin else 0.0,
        replies,
        end - begin,
        len(players),
        lost(log),
        sum(p.finished for p in players),
        sum(p.sends for p in players) / max(1, sum(p.answers for p in players) - lost(log)),
    )


async def open_loop(
    fake: BenchTelegram, players: Sequence[Player], log: list[Answered], rate: float, seconds: float
) -> Latency:
    """One answer every 1/rate s, taken in turn by the users; latency from fake.served."""
    ticks = int(rate * seconds)
    start = time.monotonic() + 0.05
    turn = skipped = 0
    for tick in range(ticks):
        await asyncio.sleep(max(0.0, start + tick / rate - time.monotonic()))
        for _ in range(len(players)):
            turn += 1
            if players[turn % len(players)].act():
                break
        else:
            skipped += 1
    await drain(log)
    samples = [
        a.reply_at - fake.served[a.update_id]
        for a in log
        if a.reply_at is not None and a.update_id in fake.served
    ]
    return Latency(samples, len(log), skipped, lost(log))


async def wait_ready(players: Sequence[Player]) -> None:
    """Wait until every player has its first question."""
    await _until(lambda: all(p.ready for p in players), STARTUP_SECONDS)


async def _until(condition: Callable[[], bool], seconds: float) -> None:
    """Poll `condition` until it holds; RuntimeError after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():  # flags set by many users: polling is simpler than events
        if time.monotonic() > deadline:
            raise RuntimeError(f"the users did not all get a first question within {seconds:.0f} s")
        await asyncio.sleep(0.05)


async def drain(log: list[Answered]) -> None:
    """Wait (bounded) until every answer got its reply, so the next phase starts idle."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while any(a.reply_at is None for a in log) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # the quiz's next poll follows its feedback


def lost(log: list[Answered]) -> int:
    """Answers still without a reply."""
    return sum(1 for a in log if a.reply_at is None)


def players_needed(rate: float, spacing: float) -> int:
    """Users for `rate` answers/s when none may answer more often than every `spacing` s."""
    return math.ceil(rate * spacing * 1.3)  # headroom: a user still waiting is skipped
