# The delivery gate's quick way in: sh in_order.sh SPOOL QUEUE_ID PYTHON GATE LDA ARGS...
#
# The gate (in_order.py, which says why it exists) makes a message wait for
# the ones Postfix queued before it. When no other message is in the queues
# it watches, none can have been queued before this one, and the gate would
# let it through at once: then the LDA runs straight away, without the
# 10 ms of starting Python; otherwise the gate decides. The incoming queue is
# read before the active one, the way messages move, so that none is missed
# on its way between them.
spool=$1 id=$2 python=$3 gate=$4
shift 4
for entry in "$spool"/incoming/* "$spool"/active/*; do
    case ${entry##*/} in
        "$id" | "*") ;;
        *) exec "$python" -I -S "$gate" "$spool" "$id" "$@" ;;
    esac
done
exec "$@"
