"""Password strength (密码强度): a minimum length and zxcvbn's estimate of how guessable it is.

zxcvbn (Dropbox's estimator; the maintained Python port ``zxcvbn``) scores a password 0…4 from
the patterns an attacker tries first: common passwords, dictionary words, names, keyboard rows,
dates, repeats and sequences. It is given the user's own name and the platform's words as
``user_inputs``, so ``pengjiang2024`` is weak for the user ``pengjiang``. A password must have at
least :data:`MIN_LENGTH` characters and score at least :data:`MIN_SCORE` (zxcvbn's "safely
unguessable": about 10⁸ guesses or more). The refusal names the reason in Chinese with the
English after it, as every message of the platform does.
"""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn

from landrenew.core.errors import InputError

MIN_LENGTH = 10
MIN_SCORE = 3
#: zxcvbn refuses to score longer inputs (its matching is quadratic): the rest is not scored.
SCORED_LENGTH = 72
#: Words an attacker tries first against this platform (平台用语): its name and its demo words.
PLATFORM_WORDS = ("landrenew", "land", "renew", "admin", "demo", "parcel", "bureau", "zrzy",
                  "ziranziyuan", "guotu", "dikuai", "gengxin", "password", "mima")

#: zxcvbn's warnings in Chinese (its own messages are English only).
_WARNINGS_ZH = {
    "This is a top-10 common password.": "这是最常见的十个密码之一",
    "This is a top-100 common password.": "这是最常见的一百个密码之一",
    "This is a very common password.": "这是非常常见的密码",
    "This is similar to a commonly used password.": "与常用密码相似",
    "A word by itself is easy to guess.": "单个词语很容易被猜到",
    "Names and surnames by themselves are easy to guess.": "单独的姓名很容易被猜到",
    "Common names and surnames are easy to guess.": "常见姓名很容易被猜到",
    "Straight rows of keys are easy to guess.": "键盘上连续的一排键很容易被猜到",
    "Short keyboard patterns are easy to guess.": "简短的键盘图案很容易被猜到",
    'Repeats like "aaa" are easy to guess.': "“aaa”这样的重复很容易被猜到",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "“abcabcabc”这样的重复并不比“abc”难猜多少",
    'Sequences like "abc" or "6543" are easy to guess.': "“abc”或“6543”这样的序列很容易被猜到",
    "Recent years are easy to guess.": "近年的年份很容易被猜到",
    "Dates are often easy to guess.": "日期往往很容易被猜到",
}


@dataclass(frozen=True)
class Strength:
    """zxcvbn's verdict on a password: its score (0…4), the score needed and the warning."""

    score: int
    needed: int
    warning: str

    @property
    def acceptable(self) -> bool:
        return self.score >= self.needed


def strength(password: str, user_inputs: tuple[str, ...] = ()) -> Strength:
    """How guessable ``password`` is for a user with these names (the platform's words added)."""
    words = [w for w in (*user_inputs, *PLATFORM_WORDS) if w]
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=words)
    return Strength(int(result["score"]), MIN_SCORE, str(result["feedback"]["warning"] or ""))


def check_password(password: str, *, user_inputs: tuple[str, ...] = (),
                   field: str = "password") -> str:
    """``password`` if it is long and strong enough, else :class:`InputError` naming why."""
    if len(password) < MIN_LENGTH:
        raise InputError(f"密码至少需要 {MIN_LENGTH} 个字符 / a password needs at least "
                         f"{MIN_LENGTH} characters", field=field, code="weak_password")
    verdict = strength(password, user_inputs)
    if not verdict.acceptable:
        zh = _WARNINGS_ZH.get(verdict.warning, "容易被猜到")
        en = verdict.warning or "it is easy to guess"
        raise InputError(
            f"密码太弱（强度 {verdict.score}/4，至少需要 {verdict.needed}）：{zh}；请用几个不常见的"
            f"词语组成更长的密码，不要用用户名或平台名称 / the password is too weak (strength "
            f"{verdict.score} of 4, {verdict.needed} needed): {en} Use a longer phrase of "
            "uncommon words, not your user name or the platform's name.",
            field=field, code="weak_password")
    return password
