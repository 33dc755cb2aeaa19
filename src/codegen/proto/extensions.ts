/**
 * Extensions: one exported `ProtobufExtension` constant per extension field, which
 * `getExtension`/`setExtension` take. Named as messages are (the path below the package
 * joined by `_`), so one declared inside a message is qualified by it (`Outer_name`) and
 * cannot collide with a top-level one. Emitted after every message of the file, which they
 * refer to directly.
 */
import type { ProtoExtend, ProtoMessage } from "../../idl/proto/ast.js";
import type { Code } from "../code.js";
import { typeName, type ProtoContext } from "./context.js";
import { fieldInfo, fieldTsType, shapeOf, type FieldPlan } from "./fields.js";

/** Emits the constants of every extension the file declares, at top level and in its messages. */
export function emitExtensions(ctx: ProtoContext, code: Code): void {
  const file = ctx.file;
  const emitAll = (extendBlocks: ProtoExtend[], scope: string) => {
    for (const x of extendBlocks) {
      if (!x.target) throw new Error(`internal: unresolved extendee ${x.extendee}`);
      const extendee = ctx.ref(x.target);
      for (const f of x.fields) {
        const fullName = scope === "" ? f.name : `${scope}.${f.name}`;
        const name = typeName(fullName, file.package);
        // Every singular extension has presence (in proto3 files too): absent is not the default.
        const field = { ...f, presence: f.label !== "repeated" };
        const plan: FieldPlan = { message: x.target.fullName, field, name, shape: shapeOf(ctx, field), index: 0 };
        const summary = `Extension ${fullName}: field ${f.number} of ${x.target.fullName}.`;
        code.doc(f.doc === undefined ? summary : `${f.doc}\n\n${summary}`);
        code.block(`export const ${name}: ${ctx.useType("ProtobufExtension")}<${extendee}, ${fieldTsType(ctx, plan)}> =`, () => {
          code.line(`typeName: ${JSON.stringify(fullName)},`);
          code.line(`extendee: ${extendee},`);
          code.line(`field: ${fieldInfo(ctx, plan)},`);
        }, "};");
        code.line("");
      }
    }
  };
  const inMessages = (messages: ProtoMessage[]) => {
    for (const m of messages) {
      emitAll(m.extends, m.fullName);
      inMessages(m.messages);
    }
  };
  emitAll(file.extends, file.package);
  inMessages(file.messages);
}
