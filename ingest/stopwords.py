"""Short French and English function-word lists.

Used to tell the language of short texts and to skip function words when
highlighting; BM25 analysis itself uses Qdrant's own lists.
"""

FRENCH = frozenset(
    """
    a à au aux avec ce ces cet cette dans de des du elle elles en entre est et être été il ils je la le les
    leur leurs lui mais me même mes moi mon ne nos notre nous on ou où par pas peut peuvent pour qu que quel
    quelle quelles quels qui sa sans se ses si son sont sur ta te tes toi ton tous tout toute toutes tu un
    une vos votre vous y d l n s c j qu' ont fait faut doit doivent comment quand pourquoi lorsque dont
    aussi plus moins très sous chez vers ainsi alors afin donc car puis selon lors après avant depuis
    pendant ni non oui ceux celle celui celles sera seront était étaient avait avoir ayant suis es sommes
    êtes etc parmi chaque autre autres
    """.split()
)

ENGLISH = frozenset(
    """
    a about above after again all also an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here
    hers him his how i if in into is it its itself just me more most my no nor not of off on once only or
    other our ours out over own same she should so some such than that the their theirs them then there
    these they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours shall must may might us which whose within without upon per via
    """.split()
)
