"""English given-name nicknames mapped to one canonical name (Bill -> william).

Hand-written from common usage; a nickname that belongs to several names (Alex, Chris, Sam,
Terry) maps to the most frequent one, which is enough for matching because both records then
share the key.
"""

from __future__ import annotations

_CANONICAL_TO_NICKNAMES: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "gail"),
    "albert": ("al", "bertie"),
    "alexander": ("alex", "alec", "sandy", "xander", "alexandra", "alexa"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant"),
    "barbara": ("barb", "babs", "barbie"),
    "benjamin": ("ben", "benny", "benji"),
    "catherine": ("cathy", "kate", "katie", "cat", "kathy", "katherine", "kathryn", "kat"),
    "charles": ("charlie", "chuck", "chas", "chaz"),
    "christina": ("chrissy", "tina", "christine", "kristina"),
    "christopher": ("chris", "kit", "topher"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey", "davy"),
    "deborah": ("debbie", "deb", "debra"),
    "donald": ("don", "donnie"),
    "dorothy": ("dot", "dottie", "dolly"),
    "douglas": ("doug",),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "betsy", "eliza", "libby", "lisa", "bess"),
    "eleanor": ("ellie", "nell", "nora", "elle"),
    "emily": ("em", "emmy"),
    "frances": ("fran", "frannie"),
    "francis": ("frank", "frankie"),
    "frederick": ("fred", "freddie", "freddy"),
    "gabriel": ("gabe",),
    "gerald": ("gerry", "jerry"),
    "gregory": ("greg",),
    "harold": ("hal", "harry"),
    "henry": ("hank",),
    "jacob": ("jake",),
    "james": ("jim", "jimmy", "jamie", "jimbo"),
    "janet": ("jan",),
    "jeffrey": ("jeff", "geoff", "geoffrey"),
    "jennifer": ("jen", "jenny", "jenn"),
    "jessica": ("jess", "jessie"),
    "john": ("jack", "johnny", "jon", "jonny"),
    "joseph": ("joe", "joey", "jo"),
    "joshua": ("josh",),
    "judith": ("judy", "judi"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry", "laurence"),
    "leonard": ("leo", "len", "lenny"),
    "margaret": ("maggie", "meg", "peggy", "marge", "margie", "greta", "madge"),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mikey", "mick", "mickey"),
    "nathaniel": ("nate", "nat", "nathan"),
    "nicholas": ("nick", "nicky", "nico"),
    "oliver": ("ollie",),
    "pamela": ("pam",),
    "patricia": ("pat", "patty", "trish", "tricia", "patsy"),
    "patrick": ("paddy",),
    "peter": ("pete",),
    "philip": ("phil", "phillip"),
    "raymond": ("ray",),
    "rebecca": ("becky", "becca"),
    "richard": ("dick", "rich", "richie", "ricky", "rick"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert", "robin"),
    "ronald": ("ron", "ronnie"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sammie",),
    "stephen": ("steve", "stevie", "steven"),
    "susan": ("sue", "susie", "suzy", "suzanne"),
    "theodore": ("theo",),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "vicki", "tori"),
    "vincent": ("vince", "vinny"),
    "walter": ("walt", "wally"),
    "william": ("bill", "billy", "will", "willie", "willy", "liam"),
    "zachary": ("zach", "zack"),
}

NICKNAMES: dict[str, str] = {
    nick: canonical for canonical, nicks in _CANONICAL_TO_NICKNAMES.items() for nick in nicks
}


def canonical_given_name(folded: str) -> str:
    """The canonical form of a folded given name: ``bill`` -> ``william``; others unchanged."""
    return NICKNAMES.get(folded, folded)
