"""The clinician's comments on a session or on one of its reps, and which the patient has
seen (Today shows the new ones until the patient marks them read)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Row

from coach.store.base import checked_day_bounds
from coach.store.people import PeopleStore
from coach.store.records import (
    SessionComment,
    StoreError,
    ValidationError,
    aware,
    check_id,
    check_name,
    check_text,
)
from coach.store.rows import inserted_id
from coach.store.schema import reps, session_comments, sessions

MAX_COMMENT_CHARS = 2000


def _comment(row: Row) -> SessionComment:
    return SessionComment(
        row.id,
        row.session_id,
        row.rep_id,
        row.clinician_id,
        row.author,
        row.body,
        aware(row.created_at),
        aware(row.seen_at),
    )


class CommentStore(PeopleStore):
    """Comments on sessions and reps."""

    def add_comment(
        self,
        session_id: int,
        body: str,
        *,
        author: str,
        clinician_id: int | None = None,
        rep_id: int | None = None,
    ) -> int:
        """A comment on the session, or on its rep `rep_id`. Raises ValidationError for
        empty or over-long text and for a rep of another session."""
        values = {
            "session_id": check_id(session_id, "session"),
            "body": check_text(body, "comment", max_len=MAX_COMMENT_CHARS),
            "author": check_name(author, "comment's author"),
            "clinician_id": clinician_id,
            "rep_id": None if rep_id is None else check_id(rep_id, "rep"),
            "created_at": self._clock(),
        }
        with self._writing("saving a comment") as connection:
            if rep_id is not None:
                owner = connection.execute(
                    select(reps.c.session_id).where(reps.c.id == rep_id)
                ).scalar_one_or_none()
                if owner != session_id:
                    raise ValidationError(f"rep {rep_id} is not a rep of session {session_id}")
            elif (
                connection.execute(
                    select(sessions.c.id).where(sessions.c.id == session_id)
                ).scalar_one_or_none()
                is None
            ):
                raise StoreError(f"no session {session_id} in {self.shown_url}")
            return inserted_id(connection.execute(session_comments.insert().values(**values)))

    def comments(self, session_id: int) -> list[SessionComment]:
        """The session's comments, oldest first."""
        with self._reading() as connection:
            rows = connection.execute(
                select(session_comments)
                .where(session_comments.c.session_id == check_id(session_id, "session"))
                .order_by(session_comments.c.created_at, session_comments.c.id)
            )
            return [_comment(row) for row in rows]

    def patient_comments(
        self,
        patient_id: int,
        *,
        unseen_only: bool = False,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
    ) -> list[SessionComment]:
        """The comments on the patient's sessions, oldest first: only those the patient has
        not seen yet (`unseen_only`), or those written in a range of local days."""
        start, end = checked_day_bounds(date_from, date_to)
        query = (
            select(session_comments)
            .join(sessions, sessions.c.id == session_comments.c.session_id)
            .where(sessions.c.patient_id == check_id(patient_id, "patient"))
        )
        if unseen_only:
            query = query.where(session_comments.c.seen_at.is_(None))
        if start is not None:
            query = query.where(session_comments.c.created_at >= start)
        if end is not None:
            query = query.where(session_comments.c.created_at < end)
        order = (session_comments.c.created_at, session_comments.c.id)
        with self._reading() as connection:
            return [_comment(row) for row in connection.execute(query.order_by(*order))]

    def mark_comments_seen(self, patient_id: int, comment_ids: list[int]) -> None:
        """The patient has read these comments (ids of other patients' comments are ignored)."""
        if not comment_ids:
            return
        theirs = select(sessions.c.id).where(
            sessions.c.patient_id == check_id(patient_id, "patient")
        )
        with self._writing("marking comments read") as connection:
            connection.execute(
                session_comments.update()
                .where(
                    session_comments.c.id.in_([check_id(i, "comment") for i in comment_ids]),
                    session_comments.c.session_id.in_(theirs),
                    session_comments.c.seen_at.is_(None),
                )
                .values(seen_at=self._clock())
            )
