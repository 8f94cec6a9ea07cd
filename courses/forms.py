"""Reading a quiz's answers from a submitted form (the trainee's own, or a paper result typed in)."""

from litestar.datastructures import FormMultiDict


def answers_by_question(form: FormMultiDict) -> dict[int, set[int]]:
    """Positions of the chosen options by question id, from fields q<question id>; the rest is ignored."""
    return {
        int(key[1:]): {int(value) for value in form.getall(key) if value.isdigit()}
        for key in form
        if key.startswith("q") and key[1:].isdigit()
    }
