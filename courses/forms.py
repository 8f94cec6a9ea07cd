"""Reading a quiz's answers from a submitted form (the trainee's own, or a paper result typed in)."""

from litestar.datastructures import FormMultiDict

from foundation.numbers import whole_number


def answers_by_question(form: FormMultiDict) -> dict[int, set[int]]:
    """Positions of the chosen options by question id, from fields q<question id>; the rest is ignored."""
    return {
        question: {option for option in map(whole_number, form.getall(key)) if option is not None}
        for key in form
        if key.startswith("q") and (question := whole_number(key[1:])) is not None
    }
