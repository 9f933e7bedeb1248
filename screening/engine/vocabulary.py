"""Word lists the normaliser uses: titles, name particles, legal forms and spelling families.

Every list is data, not logic, so that a compliance officer can read what the engine ignores
or treats as equal. Entries are written in their normalised form (ASCII, lower case).
"""

from __future__ import annotations

# Honorifics, titles and ranks: dropped from names on both sides, because they are not part of
# the identity ("Dr. Ayman al-Zawahiri" is "Ayman al-Zawahiri").
HONORIFICS: frozenset[str] = frozenset(
    """
    mr mrs ms miss mx mister madam madame mme mlle dr doctor prof professor sir dame lord lady
    hon honourable honorable rev reverend fr father pastor bishop imam sheik sheikh shaykh
    haji hajji hadji alhaji hajj mullah mulla mawlawi maulavi maulvi mawlavi moulavi qari
    qary mwlwy mlwy mla hajy shykh
    hafiz hafez sayyid sayed syed said_title
    gen general col colonel maj major capt captain cpt lt lieutenant sgt sergeant cdr commander
    adm admiral brig brigadier marshal
    herr frau signor signora senor senora sr sra dona don
    gospodin gospozha
    his her excellency he hrh
    jr sr snr junior senior ii iii iv
    """.split()
)
# "said" and "sayed" are also given names; only the explicit title forms are dropped. "He" (His
# Excellency) is also one of the commonest Chinese surnames (何, 贺): it is kept.
HONORIFICS = HONORIFICS - {"said_title", "sayed", "said", "don", "dona", "sr", "ii", "iii", "iv", "he"}

# Name particles: kept, but weigh little, because they carry almost no identity.
PARTICLES: frozenset[str] = frozenset(
    """
    al el ul ad ar as at az an ash bin ben ibn bint bn ould uld walad
    de da do dos das del della der den di du la le les van von vom zu ter te
    y e and und et the of wa fi
    """.split()
)

# Particles that are one word written differently: the Arabic article as the Latin lists
# assimilate it ("al-Rahman", "ar-Rahman", "el-Sayed"), and "son of" (bin, ben, ibn, ould).
PARTICLE_CLASSES: dict[str, str] = {
    **dict.fromkeys(("al", "el", "ul", "ad", "ar", "as", "at", "az", "an", "ash", "ed", "es", "ez", "ech"), "al"),
    **dict.fromkeys(("bin", "ben", "ibn", "bn", "ebn"), "bin"),
    **dict.fromkeys(("ould", "uld", "walad", "wuld"), "ould"),
}

# Organisation legal forms, canonicalised across languages. Multi-word forms are matched as
# phrases (after punctuation is removed) before single words. The canonical codes are grouped by
# kind so that "ООО", "GmbH", "LLC", "sp. z o.o." and "SARL" compare equal: all limited companies.
_LEGAL_FORM_GROUPS: dict[str, tuple[str, ...]] = {
    "llc": (
        "limited liability company",
        "limited liability partnership",
        "llc",
        "l l c",
        "llp",
        "ltd",
        "limited",
        "ltda",
        "gmbh",
        "ooo",
        "o o o",
        "tov",
        "too",
        "sarl",
        "s a r l",
        "srl",
        "s r l",
        "sro",
        "s r o",
        "spolka z ograniczona odpowiedzialnoscia",
        "sp z o o",
        "sp zoo",
        "bv",
        "b v",
        "pty",
        "pty ltd",
        "kft",
        "doo",
        "d o o",
        "eood",
        "ood",
        "obshchestvo s ogranichennoy otvetstvennostyu",
        "obshchestvo s ogranichennoi otvetstvennostiu",
        "societe a responsabilite limitee",
        "sociedad de responsabilidad limitada",
        "societa a responsabilita limitata",
        "fze",
        "fzco",
        "fzc",
        "fz llc",
        "tovarystvo z obmezhenoyu vidpovidalnistyu",
        "tovarystvo z obmezhenoiu vidpovidalnistiu",
        "cong ty tnhh",
        "cong ty trach nhiem huu han",
        "youxian gongsi",
        "youxian zeren gongsi",
        "pvt ltd",
        "private limited",
        "pte ltd",
        "pte",
        "sdn bhd",
        "bhd",
        "company ltd",
        "company limited",
        "limited company",
        "limited liability",
        "co ltd",
        "co limited",
        "limited liability co",
        "ltd company",
        "llc company",
    ),
    "jsc": (
        "public joint stock company",
        "closed joint stock company",
        "open joint stock company",
        "joint stock company",
        "joint stock co",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "ao",
        "oao",
        "zao",
        "pao",
        "aktsionernoe obshchestvo",
        "aktsionernoye obshchestvo",
        "publichnoe aktsionernoe obshchestvo",
        "aktsionerne tovarystvo",
        "publichne aktsionerne tovarystvo",
        "pryvatne aktsionerne tovarystvo",
        "cong ty co phan",
        "gufen youxian gongsi",
        "sa de cv",
        "s a de c v",
        "ag",
        "aktiengesellschaft",
        "sa",
        "s a",
        "spa",
        "s p a",
        "sociedad anonima",
        "societe anonyme",
        "societa per azioni",
        "nv",
        "n v",
        "plc",
        "p l c",
        "public limited company",
        "as",
        "a s",
        "asa",
        "ab",
        "oy",
        "oyj",
        "kk",
        "kabushiki kaisha",
        "tbk",
        "pt",
    ),
    "inc": ("incorporated", "inc", "corporation", "corp", "corp."),
    "co": ("company", "companies", "co", "cong ty"),
    "lp": ("limited partnership", "lp", "l p", "kg", "gmbh co kg", "kommanditgesellschaft"),
    "gp": ("general partnership", "ohg", "snc", "partnership"),
    "fdn": ("foundation", "stiftung", "fondation", "fundacion", "fond", "fund", "yayasan", "vakfi"),
    "grp": ("group", "groupe", "grupo", "gruppa", "holding", "holdings"),
    "sole": ("sole proprietorship", "ip", "individualnyy predprinimatel"),
    "coop": ("cooperative", "cooperativa", "kooperativ", "coop"),
    "ent": ("enterprise", "enterprises", "predpriyatie", "unitary enterprise", "fgup", "gup", "mup"),
}

# Words of legal-form phrases in other languages or abbreviated, read as the English word first
# so that "Limited Liability Compagnie" and "Joint Stock Cie" are recognised as phrases.
LEGAL_SYNONYMS: dict[str, str] = {
    "companies": "company",
    "compagnie": "company",
    "compania": "company",
    "companhia": "company",
    "kompaniya": "company",
    "kompania": "company",
    "cie": "company",
    "comp": "company",
    "companie": "company",
    "obschestvo": "obshchestvo",
    "obshestvo": "obshchestvo",
    "aktsionernoye": "aktsionernoe",
    "ogranichennoi": "ogranichennoy",
    "otvetstvennostyu": "otvetstvennostyu",
    "jointstock": "joint stock",
    "liab": "liability",
    "ltd": "ltd",
}

LEGAL_FORMS: dict[str, str] = {phrase: code for code, phrases in _LEGAL_FORM_GROUPS.items() for phrase in phrases}
LEGAL_FORM_CODES: frozenset[str] = frozenset(f"~{code}" for code in _LEGAL_FORM_GROUPS)
# Some legal-form words are also words of person names or ordinary words; they are read as a
# legal form only for organisations (and for queries of unknown kind, only at the end of a name).
AMBIGUOUS_LEGAL_WORDS: frozenset[str] = frozenset(
    {"as", "ab", "ao", "co", "sa", "pt", "ip", "oy", "kk", "pte", "pty", "do", "fond", "fund", "ag", "nv"}
)

# Transliteration families: spellings of one name that romanisation systems produce. Each variant
# maps to one canonical spelling so that the index and the scorer treat them as the same token.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "muhammad": (
        "mohammed",
        "mohammad",
        "mohamed",
        "mohamad",
        "muhammed",
        "muhamad",
        "muhamed",
        "mohamud",
        "mohd",
        "muhd",
        "mohammud",
        "mouhamed",
        "mouhammad",
        "mohamet",
        "mahomed",
        "muhammet",
        "mehmet",
        "mehmed",
        "magomed",
        "mukhammad",
        "mukhammed",
        "muhamadou",
        "mamadou",
        "mohamedou",
        "mohammadou",
        "mhmd",
        "mahammad",
        "mahammed",
    ),
    "abdul": ("abd", "abdel", "abdal", "abdoul", "abdoel", "abdol", "abdu", "abdou", "bd"),
    "ahmad": ("ahmed", "ahmet", "akhmad", "akhmed", "ahmat", "achmed", "ahmadou", "amadou"),
    "husayn": (
        "hussein",
        "husain",
        "hussain",
        "husein",
        "hossein",
        "hosein",
        "huseyn",
        "husseyn",
        "houssein",
        "huseyin",
    ),
    "hasan": ("hassan", "hasson", "hassane", "hacen"),
    "yusuf": ("yousef", "youssef", "yousuf", "yusef", "yousif", "yusif", "jusuf", "youssouf", "yossef"),
    "umar": ("omar", "omer", "umer", "oumar"),
    "uthman": ("othman", "osman", "usman", "ousmane", "othmane", "usmon"),
    "usama": ("osama", "ousama", "oussama", "usamah", "osamah"),
    "ali": ("aly", "aliy"),
    "khalid": ("khaled", "halid", "khaleed"),
    "abu": ("abou", "abo", "abuu"),
    "ibrahim": ("ebrahim", "ibragim", "ibrahima", "brahim"),
    "ismail": ("ismael", "esmail", "ismayil", "ismoil"),
    "jafar": ("jaafar", "jafer", "djafar", "dzhafar"),
    "qasim": ("kasim", "qassim", "qasem", "kassem", "kasem", "gasim"),
    "salih": ("saleh", "salah_", "salekh"),
    "mustafa": ("mostafa", "moustafa", "mustapha", "mostapha", "moustapha"),
    "mahmud": ("mahmoud", "mahmood", "makhmud"),
    "nasir": ("nasser", "naser", "nassir", "nasr_"),
    "abbas": ("abas",),
    "hamid": ("hamed", "hameed"),
    "zada": ("zadeh", "zade", "zadah"),
    "din": ("deen", "eddine", "eddin", "uddin", "uddeen", "addin", "eddyn"),
    "said": ("saeed", "sayed", "sayeed", "saiid", "saied"),
    "yahya": ("yahia", "yehia", "yahiya", "yihya"),
    "zakariya": ("zakaria", "zakariya", "zakariyya", "zakariyah"),
    "evgeny": (
        "yevgeny",
        "yevgeniy",
        "evgeniy",
        "evgenii",
        "yevgenii",
        "eugeny",
        "evgenij",
        "jewgeni",
        "yevgeni",
        "evgeni",
    ),
    "yury": ("yuriy", "yurii", "yuri", "iurii", "iuri", "jurij", "juri", "yurij"),
    "aleksandr": (
        "alexander",
        "aleksander",
        "alexandr",
        "oleksandr",
        "aliaksandr",
        "alyaksandr",
        "alexandre",
        "alessandro",
        "alejandro",
    ),
    "aleksey": ("alexey", "alexei", "aleksei", "aleksej", "oleksiy", "oleksii", "aliaksei"),
    "sergey": ("sergei", "serguei", "sergej", "serhiy", "serhii", "siarhei", "sergiy", "sergii"),
    "dmitry": ("dmitri", "dmitriy", "dmitrii", "dmytro", "dzmitry", "dimitri", "dimitry"),
    "andrey": ("andrei", "andrej", "andrii", "andriy", "andrew_"),
    "nikolay": ("nikolai", "nikolaj", "mykola", "mikalai", "nicolai"),
    "mikhail": ("mikhael", "mykhailo", "mikhal", "mikhailo", "michail"),
    "vasily": ("vasiliy", "vasilii", "vasyl", "vassily", "wassili"),
    "anatoly": ("anatoliy", "anatolii", "anatolij"),
    "grigory": ("grigoriy", "grigorii", "hryhoriy", "hryhorii"),
    "vitaly": ("vitaliy", "vitalii", "vitalij"),
    "valery": ("valeriy", "valerii", "valeri"),
    "gennady": ("gennadiy", "gennadii", "hennadiy", "gennadi"),
    "arkady": ("arkadiy", "arkadii", "arkadi"),
    "yakov": ("iakov", "jakov"),
    "pyotr": ("petr", "piotr", "petro", "pavlo_"),
    "fyodor": ("fedor", "fiodor", "fedir"),
    "ilya": ("ilia", "illia", "ilja"),
    "yekaterina": ("ekaterina", "katerina_", "kateryna"),
    "yelena": ("elena", "olena", "alena", "alyona"),
    "tatyana": ("tatiana", "tatjana", "tetiana", "tetyana"),
    "natalya": ("natalia", "nataliya", "natalja"),
    "yulia": ("yuliya", "julia_", "iuliia", "yulija"),
    "olga": ("olha", "volha"),
    "kim": ("gim",),
    "jong": ("chong",),
    "pak": ("park", "bak"),
    "ri": ("rhee", "yi", "lee", "li_"),
    "choe": ("choi", "chwe"),
    "jose": ("josef_",),
    "george": ("georges", "georgy", "georgiy", "georgii", "giorgi", "jorge_"),
}

FAMILY: dict[str, str] = {}
for _canonical, _variants in _FAMILIES.items():
    for _variant in _variants:
        # A trailing underscore marks a variant that is too ambiguous to fold; skip it.
        if not _variant.endswith("_"):
            FAMILY[_variant] = _canonical
# Every spelling of each family, so that a misspelt variant ("Yousesf") is compared with the
# spellings it is close to ("Youssef"), not only with the canonical one ("Yusuf").
FAMILY_SPELLINGS: dict[str, tuple[str, ...]] = {
    canonical: (canonical, *(v for v in variants if not v.endswith("_") and len(v) > 3))
    for canonical, variants in _FAMILIES.items()
}
# "Abd al-" with the article assimilated and written apart ("Abdur Rehman", "Abdus Salam"): read
# as "abdul" by normalisation, and spellings of it too, so that a misspelt "Badur" still reaches
# "Abdur" through the family.
ABD_ASSIMILATED = frozenset({"abdur", "abdus", "abduz", "abdun", "abdut", "abdud", "abdush", "abdar", "abdas"})
FAMILY_SPELLINGS["abdul"] = (*FAMILY_SPELLINGS["abdul"], *sorted(ABD_ASSIMILATED))

# Words that are so generic in organisation names that they identify nothing alone.
GENERIC_ORG_WORDS: frozenset[str] = frozenset(
    """
    international trading trade industries industry industrial services service solutions global
    general national import export investment investments management consulting technology
    technologies systems logistics shipping commercial bank financial finance capital development
    engineering construction energy resources products manufacturing import-export center centre
    association organization organisation institute society union network agency office
    """.split()
)

# Abbreviations of common words in organisation names, read as the word ("First Bank Int'l" is
# "First Bank International"); two countries' initials are read as their names.
ORG_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    **{
        short: (word,)
        for word, shorts in {
            "international": ("intl",),
            "national": ("natl",),
            "manufacturing": ("mfg",),
            "department": ("dept",),
            "brothers": ("bros",),
            "association": ("assn", "assoc"),
            "university": ("univ",),
            "institute": ("inst",),
            "government": ("govt",),
            "services": ("svcs",),
            "management": ("mgmt",),
            "engineering": ("engg",),
            "holdings": ("hldgs",),
        }.items()
        for short in shorts
    },
    # Not "US" or "UK": as words they are also name parts (Korean Uk).
    "usa": ("united", "states"),
    "uae": ("united", "arab", "emirates"),
}

# Numbers written as words in organisation names ("Three Percenters", "Brigade Forty-Four",
# "First International Bank") are read as digits, as they are often written ("3 Percenters").
NUMBER_WORDS: dict[str, int] = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
TENS_WORDS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,  # a common misspelling
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ORDINAL_WORDS: dict[str, int] = {
    word: value
    for value, word in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1)
}
