from rapport.dedupe.blocking import candidate_pairs
from rapport.dedupe.evaluate import evaluate
from rapport.dedupe.generate import generate_people
from rapport.dedupe.matcher import DEFAULT_THRESHOLD, find_duplicates
from rapport.dedupe.normalise import PersonRecord, normalise


def pairs_of(*records):
    result = find_duplicates(records, region="US")
    return {(p.left_id, p.right_id): p for p in result.pairs}


def test_nickname_and_reformatted_phone_are_one_person():
    found = pairs_of(
        PersonRecord("1", "Bill", "Gates", emails=("bill@ms.com",), phones=("415 382 1234",)),
        PersonRecord("2", "William", "Gates", emails=("BILL@ms.com ",), phones=("+14153821234",)),
    )
    pair = found[("1", "2")]
    assert pair.score > 0.99
    assert pair.reasons == (
        "same email",
        "same phone",
        "same name",
        "nickname (bill = william)",
    )


def test_swapped_chinese_name_in_pinyin_matches_characters():
    found = pairs_of(
        PersonRecord("10", name="王小明", phones=("138 1234 5678",), country="CN"),
        PersonRecord("9", "Wang", "Xiaoming", phones=("+86 138-1234-5678",), city="Beijing"),
    )
    pair = found[("9", "10")]  # numeric ids in numeric order
    assert pair.score > DEFAULT_THRESHOLD
    assert "swapped given/family names" in pair.reasons
    assert "same name (Chinese characters and pinyin)" in pair.reasons
    assert "same phone" in pair.reasons


def test_typo_in_name_with_same_email_is_reported_as_similar():
    found = pairs_of(
        PersonRecord("a", "Elaine", "Petty", emails=("ep@x.com",), company="Acme Inc"),
        PersonRecord("b", "Elaine", "Pety", emails=("ep@x.com",), company="ACME"),
    )
    reasons = found[("a", "b")].reasons
    assert reasons[0] == "same email"
    assert reasons[1].startswith("similar name (0.9")
    assert "same company" in reasons


def test_namesakes_with_different_contacts_are_not_reported():
    found = pairs_of(
        PersonRecord("1", "John", "Smith", emails=("john@a.com",), phones=("212 555 0101",),
                     company="Alpha Ltd", city="New York"),
        PersonRecord("2", "John", "Smith", emails=("jsmith@b.com",), phones=("415 382 1234",),
                     company="Beta Corp", city="Boston"),
    )  # fmt: skip
    assert found == {}


def test_blocking_keeps_candidates_far_below_all_pairs():
    data = generate_people(3000, seed=5)
    people = [normalise(r, region="US") for r in data.records]
    pairs, stats = candidate_pairs(people)
    n = len(people)
    assert stats.candidate_pairs == len(pairs)
    assert stats.candidate_pairs < n * (n - 1) / 2 / 100
    assert stats.candidate_pairs < 5 * n


def test_generated_set_is_deterministic():
    assert generate_people(50, seed=3) == generate_people(50, seed=3)


def test_f1_on_generated_set():
    result = evaluate(3000, seed=99)
    assert result.f1 >= 0.95
    assert result.precision >= 0.95
    assert result.recall >= 0.95
