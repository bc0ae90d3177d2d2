from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class JoinRequest(_message.Message):
    __slots__ = ("worker_id", "token", "protocol_version")
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    worker_id: int
    token: str
    protocol_version: int
    def __init__(self, worker_id: _Optional[int] = ..., token: _Optional[str] = ..., protocol_version: _Optional[int] = ...) -> None: ...

class JoinResponse(_message.Message):
    __slots__ = ("session", "config_json", "parameter_count", "total_rounds")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROUNDS_FIELD_NUMBER: _ClassVar[int]
    session: bytes
    config_json: str
    parameter_count: int
    total_rounds: int
    def __init__(self, session: _Optional[bytes] = ..., config_json: _Optional[str] = ..., parameter_count: _Optional[int] = ..., total_rounds: _Optional[int] = ...) -> None: ...

class RoundRequest(_message.Message):
    __slots__ = ("worker_id", "session", "wait_milliseconds", "next_round")
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    WAIT_MILLISECONDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_ROUND_FIELD_NUMBER: _ClassVar[int]
    worker_id: int
    session: bytes
    wait_milliseconds: int
    next_round: int
    def __init__(self, worker_id: _Optional[int] = ..., session: _Optional[bytes] = ..., wait_milliseconds: _Optional[int] = ..., next_round: _Optional[int] = ...) -> None: ...

class RoundAssignment(_message.Message):
    __slots__ = ("status", "round", "parameters")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_OPEN: _ClassVar[RoundAssignment.Status]
        STATUS_WAIT: _ClassVar[RoundAssignment.Status]
        STATUS_FINISHED: _ClassVar[RoundAssignment.Status]
    STATUS_OPEN: RoundAssignment.Status
    STATUS_WAIT: RoundAssignment.Status
    STATUS_FINISHED: RoundAssignment.Status
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    status: RoundAssignment.Status
    round: int
    parameters: bytes
    def __init__(self, status: _Optional[_Union[RoundAssignment.Status, str]] = ..., round: _Optional[int] = ..., parameters: _Optional[bytes] = ...) -> None: ...

class GradientSubmission(_message.Message):
    __slots__ = ("worker_id", "session", "round", "gradient", "loss")
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    GRADIENT_FIELD_NUMBER: _ClassVar[int]
    LOSS_FIELD_NUMBER: _ClassVar[int]
    worker_id: int
    session: bytes
    round: int
    gradient: bytes
    loss: float
    def __init__(self, worker_id: _Optional[int] = ..., session: _Optional[bytes] = ..., round: _Optional[int] = ..., gradient: _Optional[bytes] = ..., loss: _Optional[float] = ...) -> None: ...

class SubmissionReply(_message.Message):
    __slots__ = ("accepted", "code", "message")
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    accepted: bool
    code: str
    message: str
    def __init__(self, accepted: bool = ..., code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...
